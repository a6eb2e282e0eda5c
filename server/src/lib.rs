//! The Hagukumi server: REST API, sessions and roles, transactions that enforce
//! the booking rules, the Leptos front end, and the CLI around them.

pub mod api;
pub mod audit;
pub mod auth;
pub mod booking;
pub mod cli;
pub mod console_forms;
pub mod db;
pub mod dispatch;
pub mod embed;
pub mod entities;
pub mod error;
pub mod family_support;
pub mod forms;
pub mod home_start;
pub mod json;
pub mod lang;
pub mod mail;
pub mod page_data;
pub mod portal;
pub mod rules;
pub mod seed;
pub mod settings;
pub mod startup;
pub mod state;
pub mod web;

pub use settings::Settings;
pub use startup::Application;
