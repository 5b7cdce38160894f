/**
 * The Berth daemon: container records in H2 (schema by Flyway), supervision and restart policies,
 * the REST API and metrics. Only the module's place in the reactor exists until its issue is taken.
 */
package io.berth.orchestrator;
