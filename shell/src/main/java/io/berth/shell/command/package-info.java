/** One class per console command (or per family of sub-commands, such as {@code get pods|events|nodes}). */
package io.berth.shell.command;
