// Pure parsers for /proc files taken from a hostile workload: bytes in, typed records and warnings out, never a throw.
export * from './byte-text.js';
export * from './capabilities.js';
export * from './cgroup.js';
export * from './cmdline.js';
export * from './environ.js';
export * from './inet-address.js';
export * from './join-sockets.js';
export * from './mountinfo.js';
export * from './net-inet.js';
export * from './net-unix.js';
export * from './ns-link.js';
export * from './parse-warning.js';
export * from './proc-link.js';
export * from './stat.js';
export * from './status.js';
