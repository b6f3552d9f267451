/** Pieces shared by the store implementations; not part of the store SPI. */
package dev.berth.core.store.internal;
