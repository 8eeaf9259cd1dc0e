package dev.conductor.bench;

/** Something the benchmark can drive open-loop: n requests at a rate, one result. */
interface Workload {
  StepResult run(int n, double ratePerSecond) throws Exception;
}
