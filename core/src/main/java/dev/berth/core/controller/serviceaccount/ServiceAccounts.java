package dev.berth.core.controller.serviceaccount;

import dev.berth.core.controller.runtime.Component;
import dev.berth.core.controller.runtime.ControllerContext;
import io.fabric8.kubernetes.api.model.ServiceAccount;

import java.util.List;

/** The serviceaccount controller: a "default" ServiceAccount in every active namespace. */
public final class ServiceAccounts {
    public static final String NAME = "serviceaccount";
    public static final int DEFAULT_WORKERS = 1;

    private ServiceAccounts() {
    }

    public static Component create(ControllerContext context) {
        List<String> names = List.of(ServiceAccountsReconciler.DEFAULT);
        return new NamespaceScopedLoop<>(NAME, context,
                new ServiceAccountsReconciler(context.client(), context.informers(), names), DEFAULT_WORKERS,
                ServiceAccount.class, sa -> names.contains(sa.getMetadata().getName()));
    }
}
