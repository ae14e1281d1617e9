//! What a change of the API does, found by comparing two compiled versions of it: who gains
//! or loses access (from the access-control matrices), what CloudFormation would do to the
//! data (tables replaced or deleted, indexes changed), which resolver templates change, which
//! resources move between stacks; and, for one version, how close each stack is to
//! CloudFormation's limits (`limits.rs`). Everything here reads what the compiler made; it
//! decides nothing about the build.

pub mod access;
pub mod data;
pub mod files;
pub mod limits;
pub mod report;
pub mod resources;

use serde_json::Value as Json;

use crate::Normalised;
use crate::config::Config;
use crate::output::BuildOutput;
use crate::source::SourceMap;

/// One compiled version of the API.
pub struct Version<'a> {
    /// What the reader calls it: a git revision, or a path.
    pub label: String,
    pub sources: &'a SourceMap,
    pub normalised: &'a Normalised,
    pub config: &'a Config,
    pub build: &'a BuildOutput,
}

/// One CloudFormation template of a build: the root stack or a nested one.
pub struct Template {
    /// `root` for `cloudformation-template.json`, else the nested stack's name.
    pub stack: String,
    /// The file in `build/`.
    pub file: String,
    pub bytes: usize,
    pub json: Json,
}

pub const ROOT_STACK: &str = "root";

impl Template {
    /// The template's resources by logical id (none when it has no `Resources` object).
    pub fn resources(&self) -> impl Iterator<Item = (&String, &Json)> {
        self.json
            .get("Resources")
            .and_then(Json::as_object)
            .into_iter()
            .flatten()
    }
}

/// Every template of a build, the root first, then the nested stacks by name. Files that
/// are not JSON objects (never made by the compiler) are skipped.
pub fn templates(build: &BuildOutput) -> Vec<Template> {
    let mut out = Vec::new();
    for (path, bytes) in &build.files {
        let file = path.to_string_lossy().replace('\\', "/");
        let stack = if file == "cloudformation-template.json" {
            ROOT_STACK.to_string()
        } else if let Some(name) = file
            .strip_prefix("stacks/")
            .and_then(|f| f.strip_suffix(".json"))
        {
            name.to_string()
        } else {
            continue;
        };
        let Ok(json) = serde_json::from_slice::<Json>(bytes) else {
            continue;
        };
        if !json.is_object() {
            continue;
        }
        out.push(Template {
            stack,
            file,
            bytes: bytes.len(),
            json,
        });
    }
    out.sort_by(|a, b| (a.stack != ROOT_STACK, &a.stack).cmp(&(b.stack != ROOT_STACK, &b.stack)));
    out
}

/// What changes from `base` to `head`.
pub struct Review {
    pub access: Vec<access::AccessChange>,
    pub data: Vec<data::DataChange>,
    pub resolvers: Vec<files::FileChange>,
    pub resources: Vec<resources::ResourceChange>,
    /// The head's stacks near or over a limit.
    pub limits: Vec<limits::LimitFinding>,
}

impl Review {
    pub fn compare(base: &Version, head: &Version, limits: &limits::Limits) -> Review {
        let base_templates = templates(base.build);
        let head_templates = templates(head.build);
        Review {
            access: access::compare(base, head),
            data: data::compare(
                &base_templates,
                &head_templates,
                head.config.flags.enableiterativegsiupdates,
            ),
            resolvers: files::compare(base.build, head.build, "resolvers/"),
            resources: resources::compare(&base_templates, &head_templates),
            limits: limits::near(limits::counts(&head_templates, limits)),
        }
    }

    /// The kinds of finding `--fail-on` can name that this review has.
    pub fn has(&self, kind: FailOn) -> bool {
        match kind {
            FailOn::Grant => self
                .access
                .iter()
                .any(|c| c.kind == access::AccessKind::Granted),
            FailOn::Revoke => self
                .access
                .iter()
                .any(|c| c.kind == access::AccessKind::Revoked),
            FailOn::Replace => self
                .data
                .iter()
                .any(|c| matches!(c, data::DataChange::Replaced { .. })),
            FailOn::Delete => self
                .data
                .iter()
                .any(|c| matches!(c, data::DataChange::Deleted { .. })),
            FailOn::Limit => {
                self.limits.iter().any(|l| l.is_over())
                    || self.data.iter().any(|c| {
                        matches!(
                            c,
                            data::DataChange::Indexes {
                                iterative: false,
                                ..
                            }
                        )
                    })
            }
        }
    }
}

/// The findings that make `diff` exit with 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FailOn {
    Grant,
    Revoke,
    Replace,
    Delete,
    Limit,
}
