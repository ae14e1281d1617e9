//! CloudFormation templates as data, before cross-stack references are resolved.
//!
//! Elements refer to each other with [`Target`]s that name the stack an element lives in and
//! its construct path. A reference that crosses stacks is turned into the parameters and
//! outputs CDK would make by `refs::resolve`; until then a template is a tree of
//! elements in construct order, which is also the order CloudFormation sections and their
//! entries are printed in.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value as Json;

/// A stack of the build: the root stack or a nested stack (named after its file).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StackName {
    Root,
    Nested(String),
}

impl StackName {
    /// The stack's file in the build folder.
    pub fn file(&self) -> String {
        match self {
            StackName::Root => "cloudformation-template.json".to_string(),
            StackName::Nested(n) => format!("stacks/{n}.json"),
        }
    }
}

/// An element another element refers to: its stack, its logical id, and its construct path
/// below the stack (which names cross-stack parameters and outputs, and orders `DependsOn`).
/// Shared: the API or a data source is referred to by every resolver of a stack, and each
/// reference is a pointer, not a copy.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Target(Arc<TargetOf>);

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct TargetOf {
    pub stack: StackName,
    pub logical_id: String,
    pub path: Vec<String>,
}

impl std::ops::Deref for Target {
    type Target = TargetOf;

    fn deref(&self) -> &TargetOf {
        &self.0
    }
}

impl Target {
    pub fn new(stack: &StackName, logical_id: impl Into<String>, path: &[&str]) -> Target {
        Target::of(
            stack.clone(),
            logical_id.into(),
            path.iter().map(|s| s.to_string()).collect(),
        )
    }

    pub fn of(stack: StackName, logical_id: String, path: Vec<String>) -> Target {
        Target(Arc::new(TargetOf {
            stack,
            logical_id,
            path,
        }))
    }

    /// A parameter of the root stack (`Ref` gives its value).
    pub fn root_parameter(name: &str) -> Target {
        Target::new(&StackName::Root, name, &[name])
    }

    pub fn reference(&self) -> Cfn {
        Cfn::Ref(self.clone())
    }

    pub fn get_att(&self, attribute: impl Into<Key>) -> Cfn {
        Cfn::GetAtt(self.clone(), attribute.into())
    }
}

/// A key of a [`Cfn::Map`]: nearly all are fixed names, which cost no allocation.
pub type Key = Cow<'static, str>;

/// A CloudFormation value: JSON with references to elements. Kept small (the stacks of a
/// large API are millions of values): rare and large variants are boxed.
#[derive(Clone, Debug, PartialEq)]
pub enum Cfn {
    Bool(bool),
    Int(i64),
    Str(String),
    List(Vec<Cfn>),
    /// An object; keys keep their order.
    Map(Vec<(Key, Cfn)>),
    /// `{"Ref": <logical id>}`.
    Ref(Target),
    /// `{"Fn::GetAtt": [<logical id>, <attribute>]}`.
    GetAtt(Target, Key),
    /// `{"Ref": "AWS::Region"}` and the other pseudo parameters.
    Pseudo(&'static str),
    /// Verbatim JSON (user templates).
    Json(Box<Json>),
    /// A value already printed at its place in a nested template, but for its references to
    /// other stacks, which `refs::resolve` still rewrites (see [`Printed`]).
    Printed(Box<Printed>),
}

/// The text of a resource's properties, printed when the resource is added to a nested
/// stack: a stack's values take about twice the memory of their text, and every nested stack
/// exists at once until the references are resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Printed {
    /// The text, each line break followed by one character that gives the depth of the next
    /// line instead of its indentation (`emit::cfn` prints it).
    pub text: String,
    /// The references to other stacks, in the order they are met, each where it goes.
    pub holes: Vec<Hole>,
}

/// A reference to another stack inside [`Printed`] text.
#[derive(Clone, Debug, PartialEq)]
pub struct Hole {
    /// Byte offset in the text.
    pub at: usize,
    /// The nesting depth it prints at.
    pub depth: usize,
    pub value: Cfn,
}

impl From<&str> for Cfn {
    fn from(s: &str) -> Cfn {
        Cfn::Str(s.to_string())
    }
}

impl From<String> for Cfn {
    fn from(s: String) -> Cfn {
        Cfn::Str(s)
    }
}

impl From<i64> for Cfn {
    fn from(n: i64) -> Cfn {
        Cfn::Int(n)
    }
}

impl From<bool> for Cfn {
    fn from(b: bool) -> Cfn {
        Cfn::Bool(b)
    }
}

/// An object from `(key, value)` pairs, in order.
pub fn map<const N: usize>(entries: [(&'static str, Cfn); N]) -> Cfn {
    Cfn::Map(
        entries
            .into_iter()
            .map(|(k, v)| (Cow::Borrowed(k), v))
            .collect(),
    )
}

pub fn list(items: impl IntoIterator<Item = Cfn>) -> Cfn {
    Cfn::List(items.into_iter().collect())
}

/// `{"Fn::Join": [sep, [parts]]}`.
pub fn join(separator: &str, parts: impl IntoIterator<Item = Cfn>) -> Cfn {
    map([("Fn::Join", list([separator.into(), list(parts)]))])
}

/// `{"Fn::Sub": [template, {variables}]}`.
pub fn sub<const N: usize>(template: &str, variables: [(&'static str, Cfn); N]) -> Cfn {
    map([("Fn::Sub", list([template.into(), map(variables)]))])
}

/// `{"Fn::If": [condition, then, else]}`.
pub fn fn_if(condition: &str, then: Cfn, otherwise: Cfn) -> Cfn {
    map([("Fn::If", list([condition.into(), then, otherwise]))])
}

pub fn equals(a: Cfn, b: Cfn) -> Cfn {
    map([("Fn::Equals", list([a, b]))])
}

pub fn not(a: Cfn) -> Cfn {
    map([("Fn::Not", list([a]))])
}

pub fn pseudo(name: &'static str) -> Cfn {
    Cfn::Pseudo(name)
}

pub fn no_value() -> Cfn {
    Cfn::Pseudo("AWS::NoValue")
}

/// A string with references spliced in, as CDK renders a token string: one `Fn::Join` with
/// "" whose adjacent literal parts are merged; a plain string when there are no references.
#[derive(Clone, Debug, Default)]
pub struct TokenString {
    parts: Vec<Cfn>,
}

impl TokenString {
    pub fn new() -> TokenString {
        TokenString::default()
    }

    pub fn text(mut self, s: &str) -> TokenString {
        self.push_text(s);
        self
    }

    pub fn push_text(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if let Some(Cfn::Str(last)) = self.parts.last_mut() {
            last.push_str(s);
        } else {
            self.parts.push(Cfn::Str(s.to_string()));
        }
    }

    pub fn token(mut self, value: Cfn) -> TokenString {
        self.push_token(value);
        self
    }

    pub fn push_token(&mut self, value: Cfn) {
        self.parts.push(value);
    }

    pub fn build(self) -> Cfn {
        match self.parts.as_slice() {
            [] => Cfn::Str(String::new()),
            [Cfn::Str(s)] => Cfn::Str(s.clone()),
            _ => join("", self.parts),
        }
    }
}

/// A resource of a template.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    pub logical_id: String,
    /// Construct path below the stack; moved into the resource's target when it is added.
    pub path: Vec<String>,
    pub kind: &'static str,
    /// An object; `None` prints no `Properties`.
    pub properties: Option<Cfn>,
    /// Elements this resource must follow. Targets in other stacks become dependencies of
    /// the nested stacks involved.
    pub depends_on: Vec<Target>,
    pub update_replace_policy: Option<&'static str>,
    pub deletion_policy: Option<&'static str>,
}

impl Resource {
    pub fn new(
        logical_id: impl Into<String>,
        path: &[&str],
        kind: &'static str,
        properties: Cfn,
    ) -> Self {
        Resource {
            logical_id: logical_id.into(),
            path: path.iter().map(|s| s.to_string()).collect(),
            kind,
            properties: Some(properties),
            depends_on: Vec::new(),
            update_replace_policy: None,
            deletion_policy: None,
        }
    }

    pub fn depending_on(mut self, target: Target) -> Self {
        if !self.depends_on.contains(&target) {
            self.depends_on.push(target);
        }
        self
    }
}

/// One element of a template, in construct order.
#[derive(Clone, Debug, PartialEq)]
pub enum Element {
    /// A top-level entry such as `Description`.
    Section(String, Cfn),
    Parameter(String, Cfn),
    Condition(String, Cfn),
    /// Boxed: most elements are resources, and the others are a fraction of their size.
    Resource(Box<Resource>),
    Output(String, Cfn),
    /// An entry of a section given as JSON (the root's resources for the project's stacks).
    Verbatim(Section, String, Json),
    /// In the root stack: the nested stack of this index comes here in the construct tree.
    Nested(usize),
    /// Values CDK resolves at this point without printing them here: their cross-stack
    /// parameters come in this order (a construct that reads its tokens out of print order).
    Resolves(Vec<Cfn>),
}

/// A template being built.
#[derive(Clone, Debug)]
pub struct Stack {
    pub name: StackName,
    /// Add parameters, conditions, outputs and resources with the methods, which keep
    /// `named` up to date; elements may be replaced in place, never removed.
    pub elements: Vec<Element>,
    /// (section, hash of a name) → position of the first element of that name: cross-stack
    /// resolution asks for a stack resource of the root, or a parameter of a consumer, once
    /// per import. Keyed by hash, not by a copy of every logical id (see `position_of`).
    named: HashMap<(Section, u64), usize>,
    /// How a nested stack prints its resources' properties ahead, if it does.
    print_ahead: Option<PrintAhead>,
}

/// Prints the properties of a resource of a nested stack ahead (see [`Printed`]); `None`
/// keeps them as values. The compile hands in `emit::cfn`'s.
pub type PrintAhead = fn(&Cfn, &StackName) -> Option<Printed>;

/// Prints `resource`'s properties ahead for stack `home`, unless they already are.
pub fn print_ahead(resource: &mut Resource, print: PrintAhead, home: &StackName) {
    if let Some(properties) = &resource.properties
        && !matches!(properties, Cfn::Printed(_))
        && let Some(printed) = print(properties, home)
    {
        resource.properties = Some(Cfn::Printed(Box::new(printed)));
    }
}

/// The sections whose entries have names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Section {
    Parameters,
    Conditions,
    Outputs,
    Resources,
}

impl Stack {
    pub fn new(name: StackName) -> Stack {
        Stack {
            name,
            elements: Vec::new(),
            named: HashMap::new(),
            print_ahead: None,
        }
    }

    fn push_named(&mut self, section: Section, name: &str, element: Element) {
        self.named
            .entry((section, name_hash(name)))
            .or_insert(self.elements.len());
        self.elements.push(element);
    }

    /// The position of the first element named `name` in `section`.
    fn position_of(&self, section: Section, name: &str) -> Option<usize> {
        let &i = self.named.get(&(section, name_hash(name)))?;
        if self.elements[i].named() == Some((section, name)) {
            return Some(i);
        }
        // Another name with the same hash came first: look the element up the long way.
        self.elements
            .iter()
            .position(|e| e.named() == Some((section, name)))
    }

    pub fn parameter(&mut self, name: &str, body: Cfn) -> Target {
        self.push_named(
            Section::Parameters,
            name,
            Element::Parameter(name.to_string(), body),
        );
        Target::new(&self.name, name, &[name])
    }

    pub fn condition(&mut self, name: &str, body: Cfn) {
        self.push_named(
            Section::Conditions,
            name,
            Element::Condition(name.to_string(), body),
        );
    }

    pub fn output(&mut self, name: &str, body: Cfn) {
        self.push_named(
            Section::Outputs,
            name,
            Element::Output(name.to_string(), body),
        );
    }

    /// Adds a resource; returns it as a target. In a nested stack its properties may be
    /// printed now: nothing changes them later but the resolution of their references to
    /// other stacks.
    pub fn resource(&mut self, mut resource: Resource) -> Target {
        let target = Target::of(
            self.name.clone(),
            resource.logical_id.clone(),
            std::mem::take(&mut resource.path),
        );
        if let Some(print) = self.print_ahead {
            print_ahead(&mut resource, print, &self.name);
        }
        let id = resource.logical_id.clone();
        self.push_named(
            Section::Resources,
            &id,
            Element::Resource(Box::new(resource)),
        );
        target
    }

    pub fn verbatim(&mut self, section: Section, name: &str, body: Json) {
        self.push_named(
            section,
            name,
            Element::Verbatim(section, name.to_string(), body),
        );
    }

    pub fn find_resource_mut(&mut self, logical_id: &str) -> Option<&mut Resource> {
        let i = self.position_of(Section::Resources, logical_id)?;
        match &mut self.elements[i] {
            Element::Resource(r) => Some(r),
            _ => None,
        }
    }

    pub fn has_element(&self, section: Section, name: &str) -> bool {
        self.position_of(section, name).is_some()
    }
}

fn name_hash(name: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(name.as_bytes())
}

/// The stacks of a build: the root and the nested stacks in the order they were created.
#[derive(Clone, Debug)]
pub struct StackSet {
    pub root: Stack,
    /// Add with `add_nested`, which keeps the index by name.
    pub nested: Vec<Stack>,
    /// Nested stack name → position in `nested`: every reference resolved looks its stack up.
    by_name: HashMap<String, usize>,
    /// Given to each nested stack.
    pub print_ahead: Option<PrintAhead>,
}

impl StackSet {
    pub fn new() -> StackSet {
        StackSet {
            root: Stack::new(StackName::Root),
            nested: Vec::new(),
            by_name: HashMap::new(),
            print_ahead: None,
        }
    }

    /// Adds an empty nested stack; returns its position in `nested`.
    pub fn add_nested(&mut self, name: &str) -> usize {
        let mut stack = Stack::new(StackName::Nested(name.to_string()));
        stack.print_ahead = self.print_ahead;
        self.nested.push(stack);
        let i = self.nested.len() - 1;
        self.by_name.insert(name.to_string(), i);
        i
    }

    pub fn stack_mut(&mut self, name: &StackName) -> &mut Stack {
        match name {
            StackName::Root => &mut self.root,
            StackName::Nested(n) => {
                let i = *self
                    .by_name
                    .get(n)
                    .expect("nested stacks are created before use");
                &mut self.nested[i]
            }
        }
    }

    /// The position of nested stack `name` in `nested`.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    pub fn has_nested(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }
}

impl Default for StackSet {
    fn default() -> Self {
        StackSet::new()
    }
}

/// The top-level entries of a printed template, in order.
pub enum TopLevel<'a> {
    /// A section given whole (`Description`, a project stack's sections).
    Whole(&'a Cfn),
    /// A section of named entries (`Parameters`, `Resources`, …).
    Named(Vec<(&'a str, &'a Element)>),
}

impl Section {
    pub fn key(self) -> &'static str {
        match self {
            Section::Parameters => "Parameters",
            Section::Conditions => "Conditions",
            Section::Outputs => "Outputs",
            Section::Resources => "Resources",
        }
    }
}

impl Element {
    /// The section and name of an element printed under a section.
    fn named(&self) -> Option<(Section, &str)> {
        match self {
            Element::Parameter(n, _) => Some((Section::Parameters, n)),
            Element::Condition(n, _) => Some((Section::Conditions, n)),
            Element::Output(n, _) => Some((Section::Outputs, n)),
            Element::Resource(r) => Some((Section::Resources, &r.logical_id)),
            Element::Verbatim(section, n, _) => Some((*section, n)),
            _ => None,
        }
    }
}

/// The entries of an object as JavaScript keeps them: a key given again keeps its first place
/// and takes the later value.
pub fn object_entries<K: Copy + Eq + std::hash::Hash, V>(entries: Vec<(K, V)>) -> Vec<(K, V)> {
    // Most objects are small and have no key twice: check that without a table.
    let duplicated = if entries.len() <= 16 {
        entries
            .iter()
            .enumerate()
            .any(|(i, (k, _))| entries[..i].iter().any(|(j, _)| j == k))
    } else {
        let mut seen = std::collections::HashSet::new();
        !entries.iter().all(|(k, _)| seen.insert(*k))
    };
    if !duplicated {
        return entries;
    }
    let mut out: Vec<(K, V)> = Vec::with_capacity(entries.len());
    let mut at: HashMap<K, usize> = HashMap::new();
    for (k, v) in entries {
        match at.get(&k) {
            Some(&i) => out[i].1 = v,
            None => {
                at.insert(k, out.len());
                out.push((k, v));
            }
        }
    }
    out
}

impl Stack {
    /// What the template prints: sections in the order their first element was created,
    /// entries in the order of their first element. A name given again keeps its place and
    /// takes the later value, as a JavaScript object does.
    pub fn layout(&self) -> Vec<(&str, TopLevel<'_>)> {
        let mut top: Vec<(&str, TopLevel<'_>)> = Vec::new();
        fn slot<'a>(top: &mut Vec<(&'a str, TopLevel<'a>)>, key: &'a str) -> usize {
            match top.iter().position(|(k, _)| *k == key) {
                Some(i) => i,
                None => {
                    top.push((key, TopLevel::Named(Vec::new())));
                    top.len() - 1
                }
            }
        }
        for e in &self.elements {
            if let Element::Section(name, body) = e {
                let i = slot(&mut top, name);
                top[i].1 = TopLevel::Whole(body);
                continue;
            }
            let Some((section, name)) = e.named() else {
                continue;
            };
            let i = slot(&mut top, section.key());
            if let TopLevel::Named(entries) = &mut top[i].1 {
                entries.push((name, e));
            }
        }
        for (_, body) in &mut top {
            if let TopLevel::Named(entries) = body {
                *entries = object_entries(std::mem::take(entries));
            }
        }
        top
    }

    /// The entries the template prints under `section`, in order.
    pub fn entries(&self, section: Section) -> Vec<(&str, &Element)> {
        self.layout()
            .into_iter()
            .find_map(|(k, body)| match body {
                TopLevel::Named(entries) if k == section.key() => Some(entries),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// The resources the template prints, in order.
    pub fn resources(&self) -> Vec<&Resource> {
        self.entries(Section::Resources)
            .into_iter()
            .filter_map(|(_, e)| match e {
                Element::Resource(r) => Some(&**r),
                _ => None,
            })
            .collect()
    }
}
