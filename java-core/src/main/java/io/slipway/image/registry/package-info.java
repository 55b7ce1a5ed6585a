/**
 * The OCI Distribution client: {@link io.slipway.image.registry.RegistryClient} is the one public
 * entry; each endpoint (manifest, blob, token) is a small class that knows its route and how to
 * read its answer. It decides authentication and transfer (retries, resume, digest checks) and
 * never prints: progress goes to a listener, secrets go nowhere but request headers.
 */
package io.slipway.image.registry;
