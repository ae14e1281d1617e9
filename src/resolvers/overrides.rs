//! The project's `resolvers/` folder applied to the generated resolvers. Every file replaces the generated template of the same
//! name in `build/resolvers/`; files named `<Type>.<field>.<slot>.<n>.(req|res).vtl` with a
//! pipeline slot name also change the resolver's pipeline, as the Amplify CLI does:
//!
//! - the files of one resolver, slot and `<n>` (not a number: 0) make one function, its
//!   request and response halves; the `<n>`s are ordered as the texts `order<n>` sort;
//! - a function whose request or response file name equals one of a generated function of
//!   the slot replaces those halves of it (it keeps its data source);
//! - any other is added to the slot after the generated functions, on the NONE data source.
//!
//! Unlike the CLI, which ignores slot files of resolvers that do not exist and stops on a
//! slot the resolver lacks, every such file is reported with the names that would work.

use indexmap::IndexMap;

use super::{DataSourceRef, Function, InvokeTarget, Resolver, ResolverKind, ResolverPlan, Slot};
use crate::diagnostics::{Code, Diagnostic};
use crate::plan::collation::locale_compare;

/// A file of a resolvers folder: its name and contents.
pub type UserFile = (String, Vec<u8>);

/// The slots a file may name (`validate` is not one of them).
const SLOT_NAMES: [(&str, Slot); 10] = [
    ("init", Slot::Init),
    ("preAuth", Slot::PreAuth),
    ("auth", Slot::Auth),
    ("postAuth", Slot::PostAuth),
    ("preDataLoad", Slot::PreDataLoad),
    ("preUpdate", Slot::PreUpdate),
    ("preSubscribe", Slot::PreSubscribe),
    ("postDataLoad", Slot::PostDataLoad),
    ("postUpdate", Slot::PostUpdate),
    ("finish", Slot::Finish),
];

/// The request and response slots of a resolver kind, in pipeline order.
pub fn slots(kind: ResolverKind) -> (&'static [Slot], &'static [Slot]) {
    use Slot::*;
    match kind {
        ResolverKind::Query | ResolverKind::Relational => (
            &[Init, PreAuth, Auth, PostAuth, PreDataLoad],
            &[PostDataLoad, Finish],
        ),
        ResolverKind::Mutation => (
            &[Init, PreAuth, Auth, PostAuth, Validate, PreUpdate],
            &[PostUpdate, Finish],
        ),
        ResolverKind::Subscription => (&[Init, PreAuth, Auth, PostAuth, PreSubscribe], &[]),
        ResolverKind::Field | ResolverKind::CustomRoot => (&[Init], &[Finish]),
    }
}

/// The slots a file may add to for a resolver of `kind`, in pipeline order.
fn slot_names(kind: ResolverKind) -> Vec<&'static str> {
    let (request, response) = slots(kind);
    request
        .iter()
        .chain(response)
        .filter(|s| **s != Slot::Validate)
        .map(|s| s.as_str())
        .collect()
}

/// Files named like slot files, `<Type>.<field>.<slot>.<n>.(req|res).vtl` with a number for
/// `<n>`, whose slot is none of the slot names (a misspelt `postAuth`): (file, (type, field),
/// slot). The CLI copies them to the build, where nothing reads them.
fn unknown_slots(files: &[UserFile]) -> Vec<(&str, (&str, &str), &str)> {
    files
        .iter()
        .filter_map(|(name, _)| {
            let parts: Vec<&str> = name.split('.').collect();
            let [type_name, field, slot, n, half, "vtl"] = parts[..] else {
                return None;
            };
            let numbered = !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit());
            let known = SLOT_NAMES.iter().any(|(s, _)| *s == slot);
            (numbered && matches!(half, "req" | "res") && !known).then_some((
                name.as_str(),
                (type_name, field),
                slot,
            ))
        })
        .collect()
}

/// One user function: its slot and its halves (file name, text).
#[derive(Clone, Debug, Default)]
struct UserSlot {
    slot_name: String,
    request: Option<(String, String)>,
    response: Option<(String, String)>,
}

impl UserSlot {
    /// Its halves: (file name, text).
    fn halves(&self) -> impl Iterator<Item = &(String, String)> {
        self.request.iter().chain(self.response.iter())
    }
}

/// An error about slot file `file` of `folder`.
fn slot_file_error(code: Code, folder: &str, file: &str, message: String) -> Diagnostic {
    Diagnostic::error(code, message).in_file(format!("{folder}/{file}"))
}

/// `Number(text) || 0` of JavaScript, printed back as JavaScript prints numbers.
fn js_order(segment: Option<&str>) -> String {
    let n = segment.map(str::trim).and_then(|s| {
        if s.is_empty() {
            Some(0.0)
        } else if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
            i64::from_str_radix(hex, 16).ok().map(|v| v as f64)
        } else {
            s.parse::<f64>().ok().filter(|v| v.is_finite())
        }
    });
    let n = n.unwrap_or(0.0);
    if n.fract() == 0.0 {
        format!("order{}", n as i64)
    } else {
        format!("order{n}")
    }
}

/// Groups the slot files per resolver (`Type.field`), in the CLI's order.
fn parse(files: &[(String, Vec<u8>)]) -> IndexMap<String, Vec<UserSlot>> {
    let mut groups: IndexMap<(String, String), IndexMap<String, UserSlot>> = IndexMap::new();
    for (name, bytes) in files {
        let parts: Vec<&str> = name.split('.').collect();
        if parts.len() < 3 || !SLOT_NAMES.iter().any(|(s, _)| *s == parts[2]) {
            continue;
        }
        let response = parts.len() >= 2 && parts[parts.len() - 2] == "res";
        let key = (format!("{}.{}", parts[0], parts[1]), parts[2].to_string());
        let order = js_order(parts.get(3).copied());
        let entry = groups
            .entry(key)
            .or_default()
            .entry(order)
            .or_insert_with(|| UserSlot {
                slot_name: parts[2].to_string(),
                ..Default::default()
            });
        let half = Some((name.clone(), String::from_utf8_lossy(bytes).into_owned()));
        if response {
            entry.response = half;
        } else {
            entry.request = half;
        }
    }
    let mut out: IndexMap<String, Vec<UserSlot>> = IndexMap::new();
    for ((resolver, _), orders) in groups {
        let mut orders: Vec<(String, UserSlot)> = orders.into_iter().collect();
        orders.sort_by(|a, b| locale_compare(&a.0, &b.0));
        out.entry(resolver)
            .or_default()
            .extend(orders.into_iter().map(|(_, s)| s));
    }
    out
}

/// Where a function sits in its resolver's pipeline: request slots, the data function, then
/// response slots.
fn rank(kind: ResolverKind, f: &Function) -> usize {
    let (request, response) = slots(kind);
    match f.slot {
        None => 100,
        Some((s, _)) => request
            .iter()
            .position(|r| *r == s)
            .or_else(|| response.iter().position(|r| *r == s).map(|p| 101 + p))
            .unwrap_or(100),
    }
}

fn add_to_slot(resolver: &mut Resolver, slot: Slot, user: UserSlot) {
    let request_name = user.request.as_ref().map_or("", |(n, _)| n.as_str());
    let response_name = user.response.as_ref().map_or("", |(n, _)| n.as_str());
    let existing = resolver.functions.iter_mut().find(|f| {
        f.slot.is_some_and(|(s, _)| s == slot)
            && (f.request.as_deref().unwrap_or("NOT-FOUND") == request_name
                || f.response.as_deref().unwrap_or("NOT-FOUND") == response_name)
    });
    if let Some(f) = existing {
        if let Some((n, _)) = &user.request {
            f.request = Some(n.clone());
        }
        if let Some((n, _)) = &user.response {
            f.response = Some(n.clone());
        }
        return;
    }
    let index = resolver
        .functions
        .iter()
        .filter(|f| f.slot.is_some_and(|(s, _)| s == slot))
        .count();
    let function = Function {
        slot: Some((slot, index)),
        data_source: DataSourceRef::None,
        request: user.request.map(|(n, _)| n),
        response: user.response.map(|(n, _)| n),
    };
    let r = rank(resolver.kind, &function);
    let at = resolver
        .functions
        .iter()
        .rposition(|f| rank(resolver.kind, f) <= r)
        .map_or(0, |i| i + 1);
    resolver.functions.insert(at, function);
}

/// Applies the slot files of `files` (the `resolvers/` folder, sorted by name) to the plan.
/// Returns an error for each file that names a resolver or a slot that does not exist;
/// `folder` is the folder's path as diagnostics show it.
pub fn apply(
    plan: &mut ResolverPlan,
    files: &[(String, Vec<u8>)],
    folder: &str,
) -> Vec<Diagnostic> {
    apply_folders(plan, &[(files, folder)])
}

/// Like `apply`, for several folders (`pipelineFunctions/`, then `resolvers/`): the slot files
/// of a resolver in a later folder replace all those of the same resolver in an earlier one.
pub fn apply_folders(plan: &mut ResolverPlan, folders: &[(&[UserFile], &str)]) -> Vec<Diagnostic> {
    let mut merged: IndexMap<String, (Vec<UserSlot>, &str)> = IndexMap::new();
    for (files, folder) in folders {
        for (resolver, slots) in parse(files) {
            merged.insert(resolver, (slots, folder));
        }
    }
    let mut diags = Vec::new();
    for (files, folder) in folders {
        for (file, resolver, slot) in unknown_slots(files) {
            let Some(r) = plan
                .resolvers
                .iter()
                .find(|r| r.type_name == resolver.0 && r.field_name == resolver.1)
            else {
                continue;
            };
            diags.push(
                slot_file_error(
                    Code::ResolverOverride,
                    folder,
                    file,
                    format!(
                        "{file} adds to the slot {slot} of {}.{}, which is not a slot name",
                        r.type_name, r.field_name
                    ),
                )
                .with_help(format!(
                    "the slots of {}.{} are: {} (a file that replaces a generated template has its name, such as {}.{}.req.vtl)",
                    r.type_name,
                    r.field_name,
                    slot_names(r.kind).join(", "),
                    r.type_name,
                    r.field_name
                )),
            );
        }
    }
    for (resolver_name, (user_slots, folder)) in merged {
        let Some(at) = plan
            .resolvers
            .iter()
            .position(|r| format!("{}.{}", r.type_name, r.field_name) == resolver_name)
        else {
            if let Some(r) = plan
                .invoke_resolvers
                .iter()
                .find(|r| format!("{}.{}", r.type_name, r.field_name) == resolver_name)
            {
                let directive = match r.target {
                    InvokeTarget::Lambda(_) => "@function",
                    InvokeTarget::Http(_) => "@http",
                };
                for (file, _) in user_slots.iter().flat_map(UserSlot::halves) {
                    diags.push(
                        slot_file_error(
                            Code::InvokeOverrideUnsupported,
                            folder,
                            file,
                            format!("{file} adds to the resolver of the {directive} field {resolver_name}: amplify-gql does not apply slot files to {directive} resolvers yet"),
                        )
                        .with_help("rather than build the pipeline without it, the compile stops; remove the file (or put its logic in the field's Lambda function or @http request), or compile with the Amplify CLI"),
                    );
                }
                continue;
            }
            let type_name = resolver_name.split('.').next().unwrap_or("");
            let fields: Vec<&str> = plan
                .resolvers
                .iter()
                .filter(|r| r.type_name == type_name)
                .map(|r| r.field_name.as_str())
                .collect();
            for (file, _) in user_slots.iter().flat_map(UserSlot::halves) {
                diags.push(
                    slot_file_error(
                        Code::ResolverOverride,
                        folder,
                        file,
                        format!("{file} adds to the resolver {resolver_name}, which does not exist"),
                    )
                    .with_help(if fields.is_empty() {
                        format!("the API has no resolvers on {type_name}; slot files are named <Type>.<field>.<slot>.<n>.req.vtl or .res.vtl")
                    } else {
                        format!("the resolvers of {type_name} are: {}", fields.join(", "))
                    }),
                );
            }
            continue;
        };
        let kind = plan.resolvers[at].kind;
        let (request, response) = slots(kind);
        for user in user_slots {
            let slot = SLOT_NAMES
                .iter()
                .find(|(n, _)| *n == user.slot_name)
                .map(|(_, s)| *s)
                .expect("parse keeps known slot names");
            if !request.contains(&slot) && !response.contains(&slot) {
                let valid = slot_names(kind);
                for (file, _) in user.halves() {
                    diags.push(
                        slot_file_error(
                            Code::ResolverOverride,
                            folder,
                            file,
                            format!(
                                "{file} adds to the slot {} of {resolver_name}, which has no such slot",
                                user.slot_name
                            ),
                        )
                        .with_help(format!("the slots of {resolver_name} are: {}", valid.join(", "))),
                    );
                }
                continue;
            }
            for (name, text) in user.halves() {
                plan.add_file(name, text);
            }
            add_to_slot(&mut plan.resolvers[at], slot, user);
        }
    }
    diags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> ResolverPlan {
        let f = |slot: Option<(Slot, usize)>,
                 ds: DataSourceRef,
                 req: Option<&str>,
                 res: Option<&str>| Function {
            slot,
            data_source: ds,
            request: req.map(str::to_string),
            response: res.map(str::to_string),
        };
        ResolverPlan {
            resolvers: vec![Resolver {
                type_name: "Query".into(),
                field_name: "getPost".into(),
                kind: ResolverKind::Query,
                model: Some("Post".into()),
                data_source: DataSourceRef::Model("Post".into()),
                functions: vec![
                    f(
                        Some((Slot::Auth, 0)),
                        DataSourceRef::None,
                        Some("Query.getPost.auth.1.req.vtl"),
                        None,
                    ),
                    f(
                        Some((Slot::PostAuth, 0)),
                        DataSourceRef::None,
                        Some("Query.getPost.postAuth.1.req.vtl"),
                        None,
                    ),
                    f(
                        None,
                        DataSourceRef::Model("Post".into()),
                        Some("Query.getPost.req.vtl"),
                        Some("Query.getPost.res.vtl"),
                    ),
                ],
            }],
            files: Default::default(),
            ..ResolverPlan::default()
        }
    }

    fn file(name: &str) -> (String, Vec<u8>) {
        (name.to_string(), format!("## {name}").into_bytes())
    }

    #[test]
    fn replaces_adds_and_orders() {
        let mut p = plan();
        let ds = apply(
            &mut p,
            &[
                file("Query.getPost.auth.1.req.vtl"),
                file("Query.getPost.finish.10.res.vtl"),
                file("Query.getPost.finish.2.res.vtl"),
                file("Query.getPost.preAuth.1.req.vtl"),
                file("Query.getPost.req.vtl"),
            ],
            "resolvers",
        );
        assert!(ds.is_empty(), "{ds:?}");
        let fs = &p.resolvers[0].functions;
        let names: Vec<String> = fs
            .iter()
            .map(|f| format!("{:?} {:?} {:?}", f.slot, f.request, f.response))
            .collect();
        assert_eq!(fs.len(), 6, "{names:#?}");
        assert_eq!(fs[0].slot, Some((Slot::PreAuth, 0)));
        assert_eq!(
            fs[1].request.as_deref(),
            Some("Query.getPost.auth.1.req.vtl")
        );
        assert_eq!(fs[1].data_source, DataSourceRef::None);
        assert_eq!(fs[3].slot, None);
        // "order10" sorts before "order2", as the CLI sorts them.
        assert_eq!(
            fs[4].response.as_deref(),
            Some("Query.getPost.finish.10.res.vtl")
        );
        assert_eq!(fs[4].slot, Some((Slot::Finish, 0)));
        assert_eq!(fs[5].slot, Some((Slot::Finish, 1)));
        assert_eq!(
            p.files["Query.getPost.auth.1.req.vtl"],
            "## Query.getPost.auth.1.req.vtl"
        );
        assert!(
            !p.files.contains_key("Query.getPost.req.vtl"),
            "not a slot file"
        );
    }

    #[test]
    fn a_slot_name_that_does_not_exist_is_reported_only_for_slot_files_of_a_resolver() {
        let mut p = plan();
        let before = p.clone();
        let ds = apply(
            &mut p,
            &[
                file("Query.getPost.bogusSlot.1.req.vtl"),
                file("Query.getPost.postauth.2.res.vtl"),
                // Not slot files: a replaced template, a custom stack's template, a note, and
                // a slot-like name whose part after the slot is not a number.
                file("Query.getPost.req.vtl"),
                file("Query.myReport.req.vtl"),
                file("Query.getPost.notes.txt"),
                file("Query.getPost.extra.first.req.vtl"),
                // Slot-like, but of no resolver: copied as the CLI copies it.
                file("Query.myReport.bogusSlot.1.req.vtl"),
            ],
            "resolvers",
        );
        let messages: Vec<&str> = ds.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "Query.getPost.bogusSlot.1.req.vtl adds to the slot bogusSlot of Query.getPost, which is not a slot name",
                "Query.getPost.postauth.2.res.vtl adds to the slot postauth of Query.getPost, which is not a slot name",
            ]
        );
        assert!(
            ds.iter().all(|d| d
                .help
                .contains("init, preAuth, auth, postAuth, preDataLoad, postDataLoad, finish")),
            "{ds:?}"
        );
        assert_eq!(p, before, "the pipeline is unchanged");
    }

    #[test]
    fn reports_unknown_resolvers_and_slots() {
        let mut p = plan();
        let ds = apply(
            &mut p,
            &[
                file("Query.getPots.auth.1.req.vtl"),
                file("Query.getPost.preUpdate.1.req.vtl"),
            ],
            "resolvers",
        );
        assert_eq!(ds.len(), 2);
        assert!(ds[0].help.contains("getPost"), "{}", ds[0].help);
        assert!(
            ds[1]
                .help
                .contains("init, preAuth, auth, postAuth, preDataLoad, postDataLoad, finish"),
            "{}",
            ds[1].help
        );
    }
}
