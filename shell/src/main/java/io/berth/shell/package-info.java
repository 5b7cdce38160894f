/**
 * The Berth operator console (Spring Shell), a client of the daemon's API. Only the module's place
 * in the reactor exists until its issue is taken.
 */
package io.berth.shell;
