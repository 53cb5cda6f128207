/* svg.c - the SVG picture of a replay (svg.h).
 *
 * The two time series are averages per bin, computed in one pass over the
 * jobs: each interval [a, b) adds its exact overlap to the bins at its
 * ends and a constant to every bin in between, the latter through a
 * difference array, so long jobs cost no more than short ones.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/common/buf.h"
#include "src/sim/svg.h"

#define NBINS 600
#define W 900  /* picture width */
#define PX 70  /* plot left */
#define PW 780 /* plot width */
#define PH 170 /* plot height */

/* Add weight * |[a, b) ∩ bin| to each bin (bins of width w from t0). */
static void spread(double *area, double *diff, double t0, double w, double a, double b,
		   double weight)
{
	if (b <= a)
		return;
	double fa = (a - t0) / w, fb = (b - t0) / w;
	long ka = (long)fa, kb = (long)fb;
	if (ka >= NBINS)
		ka = NBINS - 1;
	if (kb >= NBINS)
		kb = NBINS - 1;
	if (ka == kb) {
		area[ka] += weight * (b - a);
		return;
	}
	area[ka] += weight * (t0 + (double)(ka + 1) * w - a);
	area[kb] += weight * (b - (t0 + (double)kb * w));
	if (kb > ka + 1) {
		diff[ka + 1] += weight * w;
		diff[kb] -= weight * w;
	}
}

static void escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			if ((unsigned char)*s >= 0x20)
				fputc(*s, f);
		}
	}
}

/* A "nice" step for about n ticks over [0, max]. */
static double tick_step(double max, int n)
{
	if (max <= 0)
		return 1;
	double raw = max / n, p = pow(10, floor(log10(raw)));
	double m = raw / p;
	return (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10) * p;
}

/* One time-series panel at vertical offset y0. */
static void series(FILE *f, int y0, const char *label, const double *v, double vmax, double days,
		   const char *color, bool percent)
{
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"h\">%s</text>\n", PX, y0 - 8, label);
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"frame\"/>\n", PX, y0,
		PW, PH);
	double step = tick_step(vmax, 4);
	for (double y = 0; y <= vmax * 1.0001; y += step) {
		double py = y0 + PH - y / vmax * PH;
		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>\n",
			PX, py, PX + PW, py);
		if (percent)
			fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"yl\">%.0f%%</text>\n", PX - 6,
				py + 4, y * 100);
		else
			fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"yl\">%g</text>\n", PX - 6,
				py + 4, y);
	}
	double dstep = tick_step(days, 8);
	for (double d = 0; d <= days * 1.0001 && days > 0; d += dstep) {
		double px = PX + d / days * PW;
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"xl\">%g</text>\n", px, y0 + PH + 14,
			d);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"xl\">days</text>\n", PX + PW, y0 + PH + 28);
	fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1\" points=\"", color);
	for (int k = 0; k < NBINS; k++) {
		double x0 = PX + (double)k / NBINS * PW, x1 = PX + (double)(k + 1) / NBINS * PW;
		double y = y0 + PH - (vmax > 0 ? v[k] / vmax : 0) * PH;
		fprintf(f, "%.1f,%.1f %.1f,%.1f ", x0, y, x1, y);
	}
	fputs("\"/>\n", f);
}

int svg_write(const char *path, const struct engine_job *jobs, size_t n, int64_t cpus,
	      const char *title, corral_error_t *err)
{
	double t0 = 0, t1 = 0;
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].start < 0)
			continue;
		if (!any || jobs[i].submit < t0)
			t0 = (double)jobs[i].submit;
		if (!any || jobs[i].end > t1)
			t1 = (double)jobs[i].end;
		any = true;
	}
	double w = t1 > t0 ? (t1 - t0) / NBINS : 1;
	double *busy = xcalloc(NBINS, sizeof *busy), *bdiff = xcalloc(NBINS + 1, sizeof *bdiff);
	double *queue = xcalloc(NBINS, sizeof *queue), *qdiff = xcalloc(NBINS + 1, sizeof *qdiff);
	/* waits: 0, <=1m, <=10m, <=1h, <=3h, <=10h, <=1d, <=3d, more */
	static const int64_t edge[] = {0, 60, 600, 3600, 3 * 3600, 10 * 3600, 86400, 3 * 86400};
	static const char *const hname[] = {"0",	  "&#8804;1 min", "&#8804;10 min",
					    "&#8804;1 h", "&#8804;3 h",	  "&#8804;10 h",
					    "&#8804;1 d", "&#8804;3 d",	  "&gt;3 d"};
	enum { NH = 9 };
	size_t hist[NH] = {0}, njobs = 0;
	for (size_t i = 0; i < n; i++) {
		const struct engine_job *j = &jobs[i];
		if (j->start < 0)
			continue;
		njobs++;
		spread(busy, bdiff, t0, w, (double)j->start, (double)j->end, (double)j->procs);
		spread(queue, qdiff, t0, w, (double)j->submit, (double)j->start, 1.0);
		int64_t wait = j->start - j->submit;
		int h = 0;
		while (h < NH - 1 && wait > edge[h])
			h++;
		hist[h]++;
	}
	double accb = 0, accq = 0, qmax = 0;
	for (int k = 0; k < NBINS; k++) {
		accb += bdiff[k];
		accq += qdiff[k];
		busy[k] = (busy[k] + accb) / w / (double)(cpus > 0 ? cpus : 1);
		queue[k] = (queue[k] + accq) / w;
		if (queue[k] > qmax)
			qmax = queue[k];
	}

	FILE *f = fopen(path, "w");
	int rc = 0;
	if (!f) {
		rc = corral_errorf(err, errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	int H = 3 * (PH + 70) + 60;
	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n"
		"<style>.h{font-weight:bold;font-size:12px}.frame{fill:none;stroke:#444}"
		".grid{stroke:#ddd}.yl{text-anchor:end}.xl{text-anchor:middle}"
		".bar{fill:#4a7ab5}</style>\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
		"<text x=\"%d\" y=\"22\" class=\"h\" font-size=\"14\">",
		W, H, W, H, PX);
	escape(f, title ? title : "corral sim");
	fputs("</text>\n", f);
	double days = (t1 - t0) / 86400.0;
	series(f, 60, "Utilization (busy cpus / cpus, mean per bin)", busy, 1.0, days, "#2a7a2a",
	       true);
	series(f, 60 + PH + 70, "Queue length (waiting jobs, mean per bin)", queue,
	       qmax > 0 ? qmax * 1.05 : 1, days, "#b5584a", false);
	/* histogram */
	int y0 = 60 + 2 * (PH + 70);
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"h\">Wait time distribution (%zu jobs)</text>\n",
		PX, y0 - 8, njobs);
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"frame\"/>\n", PX, y0,
		PW, PH);
	size_t hmax = 1;
	for (int h = 0; h < NH; h++)
		if (hist[h] > hmax)
			hmax = hist[h];
	double bw = (double)PW / NH;
	for (int h = 0; h < NH; h++) {
		double bh = (double)hist[h] / (double)hmax * (PH - 16);
		double x = PX + h * bw + 6;
		fprintf(
		    f,
		    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"bar\"/>\n",
		    x, y0 + PH - bh, bw - 12, bh);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"xl\">%.1f%%</text>\n",
			x + bw / 2 - 6, y0 + PH - bh - 3,
			njobs ? 100.0 * (double)hist[h] / (double)njobs : 0.0);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"xl\">%s</text>\n", x + bw / 2 - 6,
			y0 + PH + 14, hname[h]);
	}
	fputs("</svg>\n", f);
	if (ferror(f) | (fclose(f) != 0))
		rc = corral_errorf(err, EIO, "%s: write error", path);
out:
	free(busy);
	free(bdiff);
	free(queue);
	free(qdiff);
	return rc;
}
