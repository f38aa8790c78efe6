//! The department gateways' suite: the development gateway, the HTTP gateway
//! against a real server started in the test, and the record kinds.

mod common;

mod dev;
mod http_gateway;
mod records;
