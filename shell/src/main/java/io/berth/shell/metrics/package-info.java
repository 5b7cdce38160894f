/** The daemon's Prometheus metrics as the console reads them: the text format, histograms and their quantiles. */
package io.berth.shell.metrics;
