//! CloudFormation's limits, counted on a build before CloudFormation counts them: per stack
//! its resources, template bytes (as uploaded to S3, and minified), outputs, parameters and
//! mappings; per IAM managed policy its size as IAM counts it (characters without
//! whitespace, with the intrinsics AWS fills in at their longest), and per role its managed
//! policies. A count at 80% of its limit or more is a finding; over the limit, it fails.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::Template;
use crate::diagnostics::{Code, Diagnostic};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Limit {
    Resources,
    TemplateBytes,
    Outputs,
    Parameters,
    Mappings,
    PolicyBytes,
    RolePolicies,
}

impl Limit {
    pub const ALL: [Limit; 7] = [
        Limit::Resources,
        Limit::TemplateBytes,
        Limit::Outputs,
        Limit::Parameters,
        Limit::Mappings,
        Limit::PolicyBytes,
        Limit::RolePolicies,
    ];

    /// The name `--limit NAME=N` takes.
    pub fn name(self) -> &'static str {
        match self {
            Limit::Resources => "resources",
            Limit::TemplateBytes => "template-bytes",
            Limit::Outputs => "outputs",
            Limit::Parameters => "parameters",
            Limit::Mappings => "mappings",
            Limit::PolicyBytes => "policy-bytes",
            Limit::RolePolicies => "role-policies",
        }
    }

    /// AWS's quota (the role's managed policies can be raised to 20 on request).
    pub fn default_max(self) -> usize {
        match self {
            Limit::Resources => 500,
            Limit::TemplateBytes => 1_000_000,
            Limit::Outputs => 200,
            Limit::Parameters => 200,
            Limit::Mappings => 200,
            Limit::PolicyBytes => 6_144,
            Limit::RolePolicies => 10,
        }
    }

    /// What is counted, for a sentence: "resources", "bytes of template".
    pub fn noun(self) -> &'static str {
        match self {
            Limit::Resources => "resources",
            Limit::TemplateBytes => "bytes of template",
            Limit::Outputs => "outputs",
            Limit::Parameters => "parameters",
            Limit::Mappings => "mappings",
            Limit::PolicyBytes => "characters of policy",
            Limit::RolePolicies => "managed policies",
        }
    }

    pub fn parse(name: &str) -> Option<Limit> {
        Limit::ALL.into_iter().find(|l| l.name() == name)
    }
}

/// The limits to count against: AWS's, or lower (or raised) ones of the project's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits(BTreeMap<Limit, usize>);

impl Default for Limits {
    fn default() -> Self {
        Limits(Limit::ALL.iter().map(|l| (*l, l.default_max())).collect())
    }
}

impl Limits {
    /// `--limit NAME=N` values over AWS's limits; every value that is not one is an error.
    pub fn from_args(values: &[String]) -> Result<Limits, Vec<Diagnostic>> {
        let mut limits = Limits::default();
        let mut problems = Vec::new();
        for v in values {
            let parsed = v.split_once('=').and_then(|(name, n)| {
                Some((Limit::parse(name.trim())?, n.trim().parse::<usize>().ok()?))
            });
            match parsed {
                Some((limit, n)) if n > 0 => limits.set(limit, n),
                _ => {
                    let names: Vec<&str> = Limit::ALL.iter().map(|l| l.name()).collect();
                    problems.push(
                        Diagnostic::error(Code::LimitInvalid, format!("--limit {v} is not NAME=N"))
                            .with_help(format!(
                                "N is a positive whole number and NAME one of: {}",
                                names.join(", ")
                            )),
                    );
                }
            }
        }
        if problems.is_empty() {
            Ok(limits)
        } else {
            Err(problems)
        }
    }

    pub fn set(&mut self, limit: Limit, max: usize) {
        self.0.insert(limit, max);
    }

    pub fn max(&self, limit: Limit) -> usize {
        self.0.get(&limit).copied().unwrap_or(limit.default_max())
    }
}

/// One count of one stack (or policy, or role) at 80% of its limit or over it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitFinding {
    pub limit: Limit,
    pub stack: String,
    /// The build file the stack is in.
    pub file: String,
    /// For policies and roles: the policy's logical id, or the role as referenced.
    pub subject: Option<String>,
    pub count: usize,
    pub max: usize,
    /// For template bytes: the size minified, which an upload could use instead.
    pub minified: Option<usize>,
}

impl LimitFinding {
    pub fn is_over(&self) -> bool {
        self.count > self.max
    }

    pub fn is_near(&self) -> bool {
        near_limit(self.count, self.max)
    }
}

/// Whether `count` is at 80% of `max` or more, the point where a count is reported.
pub fn near_limit(count: usize, max: usize) -> bool {
    count * 5 >= max * 4
}

/// Every count of every template of a build, with the limit it is counted against.
pub fn counts(templates: &[Template], limits: &Limits) -> Vec<LimitFinding> {
    let mut out = Vec::new();
    // Role (as referenced) → managed policies attached to it, over all stacks.
    let mut attached: BTreeMap<String, (String, String, usize)> = BTreeMap::new();
    for t in templates {
        let section = |name: &str| {
            t.json
                .get(name)
                .and_then(Json::as_object)
                .map_or(0, |o| o.len())
        };
        let mut push = |limit: Limit, subject: Option<String>, count: usize, minified| {
            out.push(LimitFinding {
                limit,
                stack: t.stack.clone(),
                file: t.file.clone(),
                subject,
                count,
                max: limits.max(limit),
                minified,
            })
        };
        push(Limit::Resources, None, section("Resources"), None);
        let minified = serde_json::to_string(&t.json).map_or(t.bytes, |s| s.len());
        push(Limit::TemplateBytes, None, t.bytes, Some(minified));
        push(Limit::Outputs, None, section("Outputs"), None);
        push(Limit::Parameters, None, section("Parameters"), None);
        push(Limit::Mappings, None, section("Mappings"), None);
        for (id, r) in t.resources() {
            let props = r.get("Properties");
            match r.get("Type").and_then(Json::as_str) {
                Some("AWS::IAM::ManagedPolicy") => {
                    if let Some(doc) = props.and_then(|p| p.get("PolicyDocument")) {
                        push(Limit::PolicyBytes, Some(id.clone()), policy_size(doc), None);
                    }
                    for role in props
                        .and_then(|p| p.get("Roles"))
                        .and_then(Json::as_array)
                        .into_iter()
                        .flatten()
                    {
                        let name = role_name(role);
                        attached
                            .entry(name)
                            .or_insert_with(|| (t.stack.clone(), t.file.clone(), 0))
                            .2 += 1;
                    }
                }
                Some("AWS::IAM::Role") => {
                    let arns = props
                        .and_then(|p| p.get("ManagedPolicyArns"))
                        .and_then(Json::as_array)
                        .map_or(0, Vec::len);
                    if arns > 0 {
                        attached
                            .entry(id.clone())
                            .or_insert_with(|| (t.stack.clone(), t.file.clone(), 0))
                            .2 += arns;
                    }
                }
                _ => {}
            }
        }
    }
    for (role, (stack, file, count)) in attached {
        out.push(LimitFinding {
            limit: Limit::RolePolicies,
            stack,
            file,
            subject: Some(role),
            count,
            max: limits.max(Limit::RolePolicies),
            minified: None,
        });
    }
    out
}

/// The counts at 80% of their limit or more.
pub fn near(counts: Vec<LimitFinding>) -> Vec<LimitFinding> {
    counts.into_iter().filter(LimitFinding::is_near).collect()
}

/// A role as a policy names it: `{"Ref": "authRoleName"}` → `authRoleName`.
fn role_name(role: &Json) -> String {
    role.get("Ref")
        .and_then(Json::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| serde_json::to_string(role).unwrap_or_default())
}

/// The longest values AWS fills in: a region name (`ap-southeast-4`), an account id, an
/// AppSync API id, a partition (`aws-iso-b`).
const LONGEST: &[(&str, usize)] = &[
    ("AWS::Region", 14),
    ("AWS::AccountId", 12),
    ("AWS::Partition", 9),
    ("AWS::URLSuffix", 13),
];
const API_ID_LEN: usize = 26;

/// A policy document's size as IAM counts it: characters of the JSON without whitespace,
/// after CloudFormation has replaced its intrinsic functions.
pub fn policy_size(doc: &Json) -> usize {
    let mut text = String::new();
    write_resolved(doc, &mut text);
    text.chars().count()
}

/// The length a value has once deployed, for the intrinsics a policy uses.
fn resolved_len(value: &Json) -> Option<usize> {
    let obj = value.as_object()?;
    if obj.len() != 1 {
        return None;
    }
    let (k, v) = obj.iter().next()?;
    match k.as_str() {
        "Ref" => {
            let name = v.as_str()?;
            Some(
                LONGEST
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map_or(name.len().max(API_ID_LEN), |(_, l)| *l),
            )
        }
        "Fn::GetAtt" => {
            let attr = v.get(1)?.as_str()?;
            // An API's id; other attributes (ARNs, names) at the length of their reference.
            Some(if attr == "ApiId" { API_ID_LEN } else { 64 })
        }
        "Fn::Sub" => {
            let (template, vars) = match v {
                Json::String(s) => (s.as_str(), None),
                Json::Array(a) => (a.first()?.as_str()?, a.get(1).and_then(Json::as_object)),
                _ => return None,
            };
            let mut len = 0;
            let mut rest = template;
            while let Some(start) = rest.find("${") {
                len += rest[..start].chars().count();
                let after = &rest[start + 2..];
                let end = after.find('}')?;
                let name = &after[..end];
                len += match vars.and_then(|v| v.get(name)) {
                    Some(Json::String(s)) => s.chars().count(),
                    Some(other) => resolved_len(other).unwrap_or(API_ID_LEN),
                    None => LONGEST
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map_or(API_ID_LEN, |(_, l)| *l),
                };
                rest = &after[end + 1..];
            }
            Some(len + rest.chars().count())
        }
        "Fn::Join" => {
            let sep = v.get(0)?.as_str()?;
            let parts = v.get(1)?.as_array()?;
            let mut len = sep.chars().count() * parts.len().saturating_sub(1);
            for p in parts {
                len += match p {
                    Json::String(s) => s.chars().count(),
                    other => resolved_len(other)?,
                };
            }
            Some(len)
        }
        _ => None,
    }
}

/// Writes `value` as compact JSON, an intrinsic as a string of its deployed length.
fn write_resolved(value: &Json, out: &mut String) {
    if let Some(len) = resolved_len(value) {
        out.push('"');
        out.extend(std::iter::repeat_n('x', len));
        out.push('"');
        return;
    }
    match value {
        Json::Object(o) => {
            out.push('{');
            for (i, (k, v)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Json::String(k.clone()).to_string());
                out.push(':');
                write_resolved(v, out);
            }
            out.push('}');
        }
        Json::Array(a) => {
            out.push('[');
            for (i, v) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_resolved(v, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The limits that moving resolvers out of a stack lowers.
const MOVABLE: [Limit; 2] = [Limit::Resources, Limit::TemplateBytes];

/// Resolvers to move so that every stack at 80% or more of its resources or template bytes
/// comes down to 75% by these estimates: a moved resolver takes its resource, the functions
/// of its pipeline in the same stack and their bytes with it. Moves go to new stacks named after the stack they leave (`PostResolvers1`,
/// each also kept under 75%); resolvers already in `mapping` stay where it puts them.
/// The caller compiles with the result and counts again: the estimate is only a start.
pub fn suggest_moves(
    templates: &[Template],
    limits: &Limits,
    mapping: &[(String, String)],
) -> Vec<(String, String)> {
    let mut moves = Vec::new();
    let stacks: Vec<&str> = templates.iter().map(|t| t.stack.as_str()).collect();
    for t in templates {
        let resources = t.json.get("Resources").and_then(Json::as_object);
        let count = resources.map_or(0, |r| r.len());
        let target = |limit: Limit| limits.max(limit) * 3 / 4;
        let mut over_resources = count.saturating_sub(target(Limit::Resources));
        let mut over_bytes = t.bytes.saturating_sub(target(Limit::TemplateBytes));
        let near = MOVABLE.iter().any(|l| {
            let c = if *l == Limit::Resources {
                count
            } else {
                t.bytes
            };
            near_limit(c, limits.max(*l))
        });
        if !near {
            continue;
        }
        // Each resolver with its weight: itself and the functions of its pipeline in this
        // stack (they move with it), and their bytes.
        let mut movable: Vec<(&String, usize, usize)> = resources
            .into_iter()
            .flatten()
            .filter(|(id, r)| {
                r.get("Type").and_then(Json::as_str) == Some("AWS::AppSync::Resolver")
                    && !mapping.iter().any(|(k, _)| k == *id)
            })
            .map(|(id, r)| {
                let mut weight = 1;
                let mut bytes = serde_json::to_string_pretty(r).map_or(0, |s| s.len());
                for f in r
                    .pointer("/Properties/PipelineConfig/Functions")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(local) = f.pointer("/Fn::GetAtt/0").and_then(Json::as_str)
                        && let Some(function) = resources.and_then(|r| r.get(local))
                    {
                        weight += 1;
                        bytes += serde_json::to_string_pretty(function).map_or(0, |s| s.len());
                    }
                }
                (id, weight, bytes)
            })
            .collect();
        movable.sort();
        let mut n = 1;
        let new_stack = |n: usize| {
            let mut name = format!("{}Resolvers{n}", t.stack);
            while stacks.contains(&name.as_str()) {
                name.push('x');
            }
            name
        };
        let (mut in_new, mut new_bytes) = (0usize, 0usize);
        let mut stack = new_stack(n);
        for (id, weight, bytes) in movable {
            if over_resources == 0 && over_bytes == 0 {
                break;
            }
            if in_new + weight > target(Limit::Resources)
                || new_bytes + bytes > target(Limit::TemplateBytes)
            {
                n += 1;
                stack = new_stack(n);
                in_new = 0;
                new_bytes = 0;
            }
            moves.push((id.clone(), stack.clone()));
            in_new += weight;
            new_bytes += bytes;
            over_resources = over_resources.saturating_sub(weight);
            over_bytes = over_bytes.saturating_sub(bytes);
        }
    }
    moves
}

/// Mapping entries that move a resolver the previous build (`previous`) has in another stack:
/// CloudFormation makes the moved resolver before it deletes the old one, and AppSync refuses
/// a second resolver for one field, so such a deploy fails.
pub fn moves_of_deployed(
    previous: &[Template],
    mapping: &[(String, String)],
) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (id, to) in mapping {
        for t in previous {
            let here = t
                .json
                .get("Resources")
                .and_then(|r| r.get(id))
                .and_then(|r| r.get("Type"))
                .and_then(Json::as_str)
                == Some("AWS::AppSync::Resolver");
            if here && t.stack != *to {
                out.push((id.clone(), t.stack.clone(), to.clone()));
            }
        }
    }
    out
}
