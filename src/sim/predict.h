/* predict.h - run-time predictors for the simulator: what the scheduler
 * plans with instead of the user's requested time (EASY++ and EASY with
 * exact run times, ../shared/reference-schedules/README.md).
 *
 *   none     the requested time
 *   exact    the actual run time (clairvoyant)
 *   tsafrir  Tsafrir, Etsion, Feitelson (TPDS 2007): the mean of the
 *            user's last two completed run times (integer seconds,
 *            rounded down), at most the requested time; the requested
 *            time while the user has fewer than two completed jobs
 *
 * A job that runs past its prediction gets a new one from the corrector
 * (predict_correct), again and again until it ends; it is never killed
 * before its requested time.
 */
#ifndef CORRAL_SIM_PREDICT_H
#define CORRAL_SIM_PREDICT_H

#include <stdint.h>

enum predict_kind { PREDICT_NONE, PREDICT_EXACT, PREDICT_TSAFRIR };

struct predictor;

/* NULL never (allocation failure aborts). */
struct predictor *predictor_create(enum predict_kind kind);
void predictor_destroy(struct predictor *p);

/* Prediction for a job of user submitted now, with requested time req
 * and actual run time run (only exact reads it).  Always >= 1. */
int64_t predictor_predict(struct predictor *p, int32_t user, int64_t req, int64_t run);
/* A job of user ended after run seconds (the history tsafrir reads). */
void predictor_fit(struct predictor *p, int32_t user, int64_t run);

/* The next prediction of a running job that reached its prediction pred
 * after ncorr earlier corrections (0 for the first): Tsafrir's corrector
 * adds 1 min, then 5 min, 15 min, 30 min, 1 h, 2 h, 5 h, 10 h, 20 h, 50 h,
 * 100 h to the initial prediction, never past req (once past 100 h it
 * gives req). */
int64_t predict_correct(int64_t pred, int ncorr, int64_t req);

#endif
