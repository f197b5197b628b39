// Validates OpenAPI documents with @readme/openapi-parser (a full OpenAPI 3.0/3.1 validator):
// prints `<file>: ok` or `<file>: invalid: <first error>` per file.
import { validate } from "@readme/openapi-parser";

for (const file of process.argv.slice(2)) {
  const result = await validate(file);
  if (result.valid) {
    console.log(`${file}: ok`);
  } else {
    const first = (result.errors[0]?.message ?? "unknown").split("\n")[0];
    console.log(`${file}: invalid: ${first}`);
  }
}
