/* sim.h - `corral sim`: replay a workload trace through the scheduling
 * core in virtual time and report what the policy achieved (DESIGN.md
 * section 7; docs/simulator.md).  The command's options and output are
 * in the usage text of sim.c. */
#ifndef CORRAL_SIM_SIM_H
#define CORRAL_SIM_SIM_H

/* `corral sim ARGS`: argv[0] is "sim".  Returns the exit status: 0 done,
 * 1 the trace cannot be read or simulated, 2 bad usage. */
int sim_main(int argc, char **argv);

#endif
