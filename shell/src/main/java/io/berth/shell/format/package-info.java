/** How the console shows things: kubectl-style tables, human ages, colour on terminals only, JSON/YAML/name. */
package io.berth.shell.format;
