/**
 * How the worker uses memory and concurrency, in one place with the reasons. The figures come
 * from `npm run bench` on a 2-core machine (bench/results/); the README's "Worker sizing" table
 * lists the variables that override them.
 */
export interface WorkerTuning {
  /**
   * Workflows kept in memory between their tasks (the sticky cache). A cached workflow resumes
   * without replaying its history; an evicted one replays it at its next task (cheap: histories
   * are cut at DEFAULT_MAX_HISTORY_EVENTS by continue-as-new). The SDK's default grows with the
   * heap limit, which let RSS pass 1 GB with a large fleet.
   */
  maxCachedWorkflows: number;
  /** Workflow tasks run at once (bounded by the cache). */
  maxConcurrentWorkflowTaskExecutions: number;
  /** Activities run at once on the main queue (database, Sage, SMTP): short I/O waits. */
  maxConcurrentActivityTaskExecutions: number;
  /** Local activities (the sync records) run at once. */
  maxConcurrentLocalActivityExecutions: number;
  /** Activities run at once on the Universign queue (its rate limit paces them anyway). */
  maxConcurrentUniversignActivities: number;
  /** Threads running workflow code (the SDK's default with reuseV8Context: 1). */
  workflowThreadPoolSize: number;
}

export const DEFAULT_WORKER_TUNING: WorkerTuning = {
  maxCachedWorkflows: 500,
  maxConcurrentWorkflowTaskExecutions: 40,
  maxConcurrentActivityTaskExecutions: 100,
  maxConcurrentLocalActivityExecutions: 100,
  maxConcurrentUniversignActivities: 100,
  workflowThreadPoolSize: 1,
};
