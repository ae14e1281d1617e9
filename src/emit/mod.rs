//! Printers only: every decision was made in `plan`.

pub mod acm;
pub mod cfn;
pub mod sdl;
pub mod zip;
