//! Printers only: every decision was made in `plan`.

pub mod acm;
pub mod sdl;
