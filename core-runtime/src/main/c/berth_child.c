/* Placeholder so the build compiles; the native child lands with the launcher. */
int berth_child_abi_version(void) { return 0; }
