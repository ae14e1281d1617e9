//! Cross-stack references, resolved the way CDK resolves them.
//!
//! A nested stack that uses a value of the root stack gets a `String` parameter named
//! `referenceto<unique id of the element's full path><attribute>`, which the root passes in
//! the nested stack resource's `Parameters`. A value of a nested stack used elsewhere becomes
//! an output of that stack (`<unique id of the full path><attribute>`), read by the root with
//! `Fn::GetAtt [<stack>, Outputs.<name>]` and passed on to a consuming sibling as a parameter.
//! Consumers are visited in construct order, so parameters and outputs appear in the order
//! CDK creates them. A `DependsOn` on an element of another stack becomes a dependency of the
//! nested stack resource(s) involved.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::cdk::{ROOT_STACK_ID, unique_id};
use super::template::{Cfn, Element, Resource, Section, Stack, StackName, StackSet, Target, map};
use crate::plan::collation::locale_compare;

/// The templates of a build with every reference local to its stack: the root and the
/// nested stacks, in the order they are created (then the project's own).
#[derive(Clone, Debug)]
pub struct Resolved {
    pub root: Stack,
    pub nested: Vec<Stack>,
}

impl Resolved {
    /// Each nested stack with its name (its file is `stacks/<name>.json`).
    pub fn nested(&self) -> impl Iterator<Item = (&str, &Stack)> {
        self.nested.iter().map(|s| match &s.name {
            StackName::Nested(n) => (n.as_str(), s),
            StackName::Root => unreachable!("nested stacks are named"),
        })
    }
}

/// When `resolve` hands the nested stacks on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Release {
    /// All of them, after every reference is resolved.
    AtEnd,
    /// Each as soon as nothing after it can add to it: every nested stack exists as data
    /// until the references are resolved, and giving each away when it is finished, to be
    /// printed and dropped, keeps fewer of them in memory at once.
    WhenFinished,
}

/// Resolves every reference, hands each nested stack (with its position among them) to
/// `done`, and returns the root; `DependsOn` lists end up in CDK's order (by construct path).
pub fn resolve(set: StackSet, release: Release, done: &mut dyn FnMut(usize, Stack)) -> Stack {
    let ready = match release {
        Release::AtEnd => ReadyAt::default(),
        Release::WhenFinished => ReadyAt::of(&set),
    };
    let mut handed_on = vec![false; set.nested.len()];
    let mut r = Resolution {
        set,
        stack_deps: BTreeMap::new(),
        imported: HashMap::new(),
    };
    let mut finish = |r: &mut Resolution, handed_on: &mut [bool], k: usize| {
        handed_on[k] = true;
        let name = r.set.nested[k].name.clone();
        let mut stack = std::mem::replace(&mut r.set.nested[k], Stack::new(name));
        sort_all_dependencies(&mut stack);
        done(k, stack);
    };
    let mut position = 0;
    let root_len = r.set.root.elements.len();
    // `ready` counts the elements each stack has now; resolving an earlier stack can add
    // outputs to a later one (a resolver moved by StackMapping away from the functions it
    // calls), which are processed with that stack but not counted.
    let counted: Vec<usize> = r.set.nested.iter().map(|s| s.elements.len()).collect();
    for i in 0..root_len {
        if let Element::Nested(k) = r.set.root.elements[i] {
            let len = r.set.nested[k].elements.len();
            let name = r.set.nested[k].name.clone();
            let mut itself = false;
            for j in 0..len {
                r.process(&name, j);
                if j >= counted[k] {
                    continue;
                }
                position += 1;
                for &f in ready.at(position) {
                    // The stack being processed is finished after its last element.
                    if f == k {
                        itself = true;
                    } else {
                        finish(&mut r, &mut handed_on, f);
                    }
                }
            }
            if itself {
                finish(&mut r, &mut handed_on, k);
            }
            // Its imports are asked for again only while it is processed; the root's, if
            // dropped here, are made again the same way.
            r.imported.clear();
        } else {
            r.process(&StackName::Root, i);
        }
        position += 1;
        for &f in ready.at(position) {
            finish(&mut r, &mut handed_on, f);
        }
    }
    // The rest (all of them with `Release::AtEnd`), in the order they were created.
    for k in 0..handed_on.len() {
        if !handed_on[k] {
            finish(&mut r, &mut handed_on, k);
        }
    }
    let Resolution {
        mut set,
        stack_deps,
        ..
    } = r;
    for (stack, deps) in stack_deps {
        let resource = set
            .root
            .find_resource_mut(&nested_stack_resource(&stack).logical_id)
            .expect("every nested stack has its resource in the root stack");
        // Sorted and each logical id kept once below.
        resource.depends_on.extend(deps.ordered);
    }
    sort_all_dependencies(&mut set.root);
    set.root
}

/// When each nested stack is finished: after its own elements and after the last element of
/// another stack that refers to it (and so may add an output to it), counted in the order
/// `resolve` processes elements. Empty: none before the end.
#[derive(Default)]
struct ReadyAt {
    /// Position → the nested stacks finished once that many elements are processed.
    finished: Vec<Vec<usize>>,
}

impl ReadyAt {
    fn of(set: &StackSet) -> ReadyAt {
        let mut ready = vec![0; set.nested.len()];
        let mut position = 0;
        let note = |ready: &mut Vec<usize>, from: &StackName, e: &Element, at: usize| {
            element_values(e, &mut |v| {
                referred_stacks(v, from, &mut |to| {
                    if let Some(k) = set.position(to) {
                        ready[k] = ready[k].max(at);
                    }
                })
            });
        };
        for e in &set.root.elements {
            if let Element::Nested(k) = *e {
                let stack = &set.nested[k];
                for e in &stack.elements {
                    position += 1;
                    note(&mut ready, &stack.name, e, position);
                }
                ready[k] = ready[k].max(position);
            }
            position += 1;
            note(&mut ready, &StackName::Root, e, position);
        }
        let mut finished = vec![Vec::new(); position + 1];
        for (k, at) in ready.into_iter().enumerate() {
            finished[at].push(k);
        }
        ReadyAt { finished }
    }

    fn at(&self, position: usize) -> &[usize] {
        self.finished.get(position).map_or(&[], Vec::as_slice)
    }
}

/// The values of an element that references are resolved in.
fn element_values(e: &Element, f: &mut dyn FnMut(&Cfn)) {
    match e {
        Element::Parameter(_, body)
        | Element::Section(_, body)
        | Element::Condition(_, body)
        | Element::Output(_, body) => f(body),
        Element::Resolves(values) => values.iter().for_each(f),
        Element::Resource(resource) => {
            if let Some(p) = &resource.properties {
                f(p)
            }
        }
        Element::Nested(_) | Element::Verbatim(..) => {}
    }
}

/// Calls `f` with the stack of each reference in `v` to a stack other than `from`.
fn referred_stacks(v: &Cfn, from: &StackName, f: &mut dyn FnMut(&str)) {
    match v {
        Cfn::List(items) => items.iter().for_each(|i| referred_stacks(i, from, f)),
        Cfn::Map(entries) => entries
            .iter()
            .for_each(|(_, e)| referred_stacks(e, from, f)),
        Cfn::Printed(printed) => printed
            .holes
            .iter()
            .for_each(|h| referred_stacks(&h.value, from, f)),
        Cfn::Ref(t) | Cfn::GetAtt(t, _) if t.stack != *from => {
            if let StackName::Nested(n) = &t.stack {
                f(n)
            }
        }
        _ => {}
    }
}

fn sort_all_dependencies(stack: &mut Stack) {
    for e in &mut stack.elements {
        if let Element::Resource(r) = e {
            sort_dependencies(&mut r.depends_on);
        }
    }
}

/// CDK prints `DependsOn` sorted by the targets' construct paths, each logical id once.
fn sort_dependencies(deps: &mut Vec<Target>) {
    if deps.len() > 1 {
        // A nested stack's resource may depend on thousands: each path is joined once.
        let mut keyed: Vec<(String, Target)> =
            deps.drain(..).map(|t| (t.path.join("/"), t)).collect();
        keyed.sort_by(|a, b| locale_compare(&a.0, &b.0));
        deps.extend(keyed.into_iter().map(|(_, t)| t));
        deps.dedup_by(|a, b| a.logical_id == b.logical_id);
    }
}

/// The root resources a nested stack's resource depends on, each once, in the order first
/// met: a stack that reads many others (the ConnectionStack) meets each of them many times.
#[derive(Default)]
struct StackDeps {
    ordered: Vec<Target>,
    seen: HashSet<Target>,
}

impl StackDeps {
    fn add(&mut self, target: Target) {
        if self.seen.insert(target.clone()) {
            self.ordered.push(target);
        }
    }
}

struct Resolution {
    set: StackSet,
    /// Nested stack name → root resources its stack resource depends on.
    stack_deps: BTreeMap<String, StackDeps>,
    /// What a value of another stack became in a consumer (consumer, producer, logical id,
    /// attribute): every function and resolver of a model refers to the API, so the same
    /// import is asked for again and again. Emptied after each nested stack.
    imported: HashMap<ImportKey, Cfn>,
}

type ImportKey = (StackName, StackName, String, Option<String>);

/// The full construct path of an element, from the root stack.
fn full_path(t: &Target) -> Vec<String> {
    let mut p = vec![ROOT_STACK_ID.to_string()];
    if let StackName::Nested(n) = &t.stack {
        p.push(n.clone());
    }
    p.extend(t.path.iter().cloned());
    p
}

fn full_unique_id(t: &Target) -> String {
    let p = full_path(t);
    let parts: Vec<&str> = p.iter().map(String::as_str).collect();
    unique_id(&parts)
}

/// The root resource of a nested stack: named after the stack, unless the name is not a valid
/// logical id (then CDK's unique id of its path).
pub fn nested_stack_resource(name: &str) -> Target {
    let path = [
        format!("{name}.NestedStack"),
        format!("{name}.NestedStackResource"),
    ];
    let logical_id = if name.chars().all(|c| c.is_ascii_alphanumeric()) {
        name.to_string()
    } else {
        unique_id(&[&path[0], &path[1]])
    };
    Target::new(&StackName::Root, logical_id, &[&path[0], &path[1]])
}

fn local(t: &Target, attribute: Option<&str>) -> Cfn {
    match attribute {
        None => t.reference(),
        Some(a) => t.get_att(a.to_string()),
    }
}

impl Resolution {
    fn stack(&mut self, name: &StackName) -> &mut Stack {
        self.set.stack_mut(name)
    }

    fn process(&mut self, stack: &StackName, index: usize) {
        let placeholder = Element::Nested(usize::MAX);
        let mut element = std::mem::replace(&mut self.stack(stack).elements[index], placeholder);
        match &mut element {
            Element::Parameter(_, body)
            | Element::Section(_, body)
            | Element::Condition(_, body)
            | Element::Output(_, body) => self.resolve_value(stack, body),
            Element::Resolves(values) => {
                for v in values {
                    self.resolve_value(stack, v);
                }
            }
            Element::Resource(resource) => {
                if let Some(p) = &mut resource.properties {
                    self.resolve_value(stack, p);
                }
                let deps = std::mem::take(&mut resource.depends_on);
                for d in deps {
                    self.depend(stack, resource, d);
                }
            }
            Element::Nested(_) | Element::Verbatim(..) => {}
        }
        self.stack(stack).elements[index] = element;
    }

    fn depend(&mut self, stack: &StackName, resource: &mut Resource, target: Target) {
        let push = |v: &mut Vec<Target>, t: Target| {
            if !v.contains(&t) {
                v.push(t)
            }
        };
        match (stack, &target.stack) {
            (a, b) if a == b => push(&mut resource.depends_on, target),
            (StackName::Root, StackName::Nested(p)) => {
                push(&mut resource.depends_on, nested_stack_resource(p))
            }
            (StackName::Nested(c), other) => {
                let dep = match other {
                    StackName::Root => target,
                    StackName::Nested(p) => nested_stack_resource(p),
                };
                self.stack_deps.entry(c.clone()).or_default().add(dep);
            }
            (StackName::Root, StackName::Root) => unreachable!("handled by the first arm"),
        }
    }

    fn resolve_value(&mut self, stack: &StackName, v: &mut Cfn) {
        match v {
            Cfn::List(items) => {
                for i in items {
                    self.resolve_value(stack, i);
                }
            }
            Cfn::Map(entries) => {
                for (_, e) in entries {
                    self.resolve_value(stack, e);
                }
            }
            Cfn::Printed(printed) => {
                for hole in &mut printed.holes {
                    self.resolve_value(stack, &mut hole.value);
                }
            }
            Cfn::Ref(t) if t.stack != *stack => {
                let t = t.clone();
                *v = self.import(stack, &t, None);
            }
            Cfn::GetAtt(t, a) if t.stack != *stack => {
                let (t, a) = (t.clone(), a.clone());
                *v = self.import(stack, &t, Some(&a));
            }
            _ => {}
        }
    }

    /// The value of `target` (`Ref`, or `GetAtt` of `attribute`) as seen from `consumer`.
    fn import(&mut self, consumer: &StackName, target: &Target, attribute: Option<&str>) -> Cfn {
        let key = (
            consumer.clone(),
            target.stack.clone(),
            target.logical_id.clone(),
            attribute.map(str::to_string),
        );
        if let Some(done) = self.imported.get(&key) {
            return done.clone();
        }
        let value = self.import_once(consumer, target, attribute);
        self.imported.insert(key, value.clone());
        value
    }

    fn import_once(
        &mut self,
        consumer: &StackName,
        target: &Target,
        attribute: Option<&str>,
    ) -> Cfn {
        match (consumer, &target.stack) {
            (StackName::Nested(c), StackName::Root) => {
                self.parameter_from_root(c, target, attribute)
            }
            (StackName::Root, StackName::Nested(p)) => {
                let output = self.output(p, target, attribute);
                nested_stack_resource(p).get_att(format!("Outputs.{output}"))
            }
            (StackName::Nested(c), StackName::Nested(p)) => {
                let output = self.output(p, target, attribute);
                self.parameter_from_root(
                    c,
                    &nested_stack_resource(p),
                    Some(&format!("Outputs.{output}")),
                )
            }
            _ => local(target, attribute),
        }
    }

    /// A parameter of nested stack `c` fed with a value of the root stack.
    fn parameter_from_root(&mut self, c: &str, target: &Target, attribute: Option<&str>) -> Cfn {
        let display = attribute.unwrap_or("Ref");
        let id = format!("reference-to-{}{display}", full_unique_id(target));
        let name = unique_id(&[&id]);
        let consumer = StackName::Nested(c.to_string());
        if !self
            .stack(&consumer)
            .has_element(Section::Parameters, &name)
        {
            self.stack(&consumer)
                .parameter(&name, map([("Type", "String".into())]));
            let value = local(target, attribute);
            let resource = self
                .set
                .root
                .find_resource_mut(&nested_stack_resource(c).logical_id)
                .expect("every nested stack has its resource in the root stack");
            if let Some(Cfn::Map(props)) = &mut resource.properties
                && let Some((_, Cfn::Map(params))) =
                    props.iter_mut().find(|(k, _)| k == "Parameters")
            {
                params.push((name.clone().into(), value));
            }
        }
        Target::new(&consumer, name.clone(), &[&id]).reference()
    }

    /// An output of nested stack `p` exporting `target`; returns its name.
    fn output(&mut self, p: &str, target: &Target, attribute: Option<&str>) -> String {
        let display = attribute.unwrap_or("Ref");
        let id = format!("{}{display}", full_unique_id(target));
        let name = unique_id(&[&id]);
        let producer = StackName::Nested(p.to_string());
        if !self.stack(&producer).has_element(Section::Outputs, &name) {
            self.stack(&producer)
                .output(&name, map([("Value", local(target, attribute))]));
        }
        name
    }
}
