//! The server over real HTTP: one test binary for all of it, because each binary links the whole
//! server and CI's disk and two cores pay for every link.

mod accounts;
mod album_functions;
mod albums;
mod api;
mod aws_sweep;
mod aws_upgrade;
mod classification;
mod cluster;
mod decode_memory;
mod full_disk;
mod guard;
mod isolation;
mod kill_restart;
mod openapi;
mod process;
mod remote;
mod seed_library;
mod settings;
mod slow_clients;
mod support;
mod voice;
