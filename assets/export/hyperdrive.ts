// Hyperdrive steps: PostgreSQL queries through Hyperdrive with the `postgres` driver.
//
// Parameters are sent as text (`$1`, `$2`, ...), so PostgreSQL infers their types; cast in
// SQL where needed (`$1::int`). Columns come back as Edgewire documents them:
// int2/int4/float4/float8 -> numbers, bool -> boolean, json/jsonb -> JSON, int8 and numeric
// -> strings (they may not fit a JSON number), everything else -> its PostgreSQL text form.

import postgres from "postgres";

import type { Json } from "./edgewire";

const asIs = (value: string): string => value;

/** How each column type is read and each parameter written (parameters are always text). */
const TYPES = {
  number: { to: 23, from: [21, 23, 700, 701], serialize: asIs, parse: (value: string) => Number(value) },
  boolean: { to: 16, from: [16], serialize: asIs, parse: (value: string) => value === "t" },
  json: { to: 114, from: [114, 3802], serialize: asIs, parse: (value: string) => JSON.parse(value) as Json },
  // int8, numeric, oid, bytea, date and timestamps keep their PostgreSQL text form.
  text: { to: 25, from: [17, 20, 26, 1082, 1114, 1184, 1700], serialize: asIs, parse: asIs },
};

export type QueryMode = "first" | "all" | "run";

/** Parameters as text: strings as is, `null` as NULL, everything else as its JSON text. */
function textParams(params: Json[]): (string | null)[] {
  return params.map((value) => {
    if (value === null) {
      return null;
    }
    return typeof value === "string" ? value : JSON.stringify(value);
  });
}

/**
 * Runs one query on a fresh driver instance; Hyperdrive pools the real connections near
 * the origin, so a connection per request is cheap. The client is closed after the response.
 */
export async function queryHyperdrive(
  hyperdrive: Hyperdrive,
  ctx: ExecutionContext,
  sql: string,
  params: Json[],
  mode: QueryMode,
): Promise<Json> {
  const client = postgres(hyperdrive.connectionString, {
    max: 1,
    fetch_types: false,
    types: TYPES,
  });
  try {
    const rows = await client.unsafe<Record<string, Json>[]>(sql, textParams(params));
    switch (mode) {
      case "first":
        return rows[0] ?? null;
      case "all":
        return [...rows];
      case "run":
        return { changes: rows.count };
    }
  } finally {
    ctx.waitUntil(client.end());
  }
}

/** A query error from PostgreSQL itself answers 500; anything else means the origin is unreachable (502). */
export function originUnreachable(error: unknown): boolean {
  return !(error instanceof postgres.PostgresError);
}
