/** The shared store for several control planes: {@link dev.berth.core.store.etcd.EtcdStore} over jetcd. */
package dev.berth.core.store.etcd;
