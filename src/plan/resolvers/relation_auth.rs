//! The auth step of a relational field's resolver: the related model's read check, with the
//! parent's field-level rules when the field has its own.

use super::{Builder, ModelPlan, Step};

impl Builder<'_> {
    /// The auth steps of the resolver of relational field `field` of `parent`; empty when the
    /// parent has no `@auth`.
    #[allow(dead_code)] // wired in with the relational resolvers
    pub(super) fn relation_auth_steps(
        &self,
        _models: &[ModelPlan],
        _parent: &ModelPlan,
        _field: &str,
    ) -> Vec<Step> {
        Vec::new()
    }
}
