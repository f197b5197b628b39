//! Recipes: a known good shape applied to part of a design in one step.
