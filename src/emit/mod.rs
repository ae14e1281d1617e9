//! Printers only: the back ends' output as the bytes the reference writes; every decision was
//! made in `plan`, `schema`, `resolvers` or `stacks`.

pub mod acm;
pub mod cfn;
pub mod sdl;
pub mod zip;
