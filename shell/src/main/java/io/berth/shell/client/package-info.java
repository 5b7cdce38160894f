/**
 * The console's side of the daemon's API: fabric8's client built from the kubeconfig, starting a
 * daemon when none answers, and the translation of API failures into one-line errors.
 */
package io.berth.shell.client;
