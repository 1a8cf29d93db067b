/** Exit codes of the `lakehouse` CLI (stable: scripts depend on them). */

/** Success. */
export const EXIT_OK = 0;
/** The run failed: a `fail` policy tripped, a commit or a check failed, a query failed. */
export const EXIT_FAILED = 1;
/** Bad usage or configuration. */
export const EXIT_USAGE = 2;
