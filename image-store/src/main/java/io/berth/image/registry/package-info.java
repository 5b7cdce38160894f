/**
 * Pulling images over the OCI Distribution API.
 *
 * <p>{@link io.berth.image.registry.RegistryClient} is the whole public surface:
 * {@code resolve(ref, platform)} gives the verified manifest and config for one platform, and
 * {@code fetchBlob(ref, descriptor, partialFile, progress)} brings one blob into a file, resuming
 * what an earlier attempt left there. Everything else here (auth challenges, tokens, retries,
 * redirects, stall detection) is package-private machinery behind those two calls. The client
 * verifies every byte it hands out against a digest, and its exceptions
 * ({@link io.berth.image.registry.RegistryException}) are one line saying what to do.
 */
package io.berth.image.registry;
