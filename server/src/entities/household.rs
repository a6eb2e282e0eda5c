//! A family: the facts the rules need, self-declared and later confirmed by staff.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "households")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub user_id: Option<Uuid>,
    pub single_parent: bool,
    pub single_parent_since: Option<Date>,
    pub public_assistance: bool,
    pub tax_exempt: bool,
    pub multiple_birth: bool,
    pub area: Option<String>,
    /// When staff last confirmed the self-declared facts (public assistance,
    /// tax exemption); a change by the family clears it.
    pub facts_confirmed_at: Option<DateTimeUtc>,
    pub facts_confirmed_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
