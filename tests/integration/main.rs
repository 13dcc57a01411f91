//! Integration tests: the real binary on a temporary data dir and a free port.
//! One test binary for all of them (each file in tests/ would link its own).

mod common;
mod memory;

#[global_allocator]
static HEAP: memory::Counting = memory::Counting;

mod agenda;
mod api;
mod auth;
mod backup;
mod bundles;
mod canary;
mod cli;
mod corrections;
mod crash;
mod directory;
mod drafts;
mod hostile;
mod matrix;
mod merges;
mod operation;
mod policy;
mod privacy;
mod reception;
mod referrals;
mod retention;
mod setup;
mod statistics;
mod web;
