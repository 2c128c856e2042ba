package dev.meshwork.runtime.xgboost;

import dev.meshwork.runtime.RuntimeAdapter;
import dev.meshwork.runtime.RuntimeProvider;
import dev.meshwork.runtime.RuntimeSettings;
import java.util.Set;

/** XGBoost (xgboost4j) as a plug-in; CPU only. */
public final class XgboostProvider implements RuntimeProvider {
    @Override
    public String name() {
        return "xgboost";
    }

    @Override
    public Set<String> formats() {
        return Set.of("xgboost");
    }

    @Override
    public boolean isAvailable() {
        return RuntimeProvider.classPresent("ml.dmlc.xgboost4j.java.XGBoost");
    }

    /** Its native parser trusts the file: a bad one aborts the process, so it runs in a child process by default. */
    @Override
    public boolean isolatedByDefault() {
        return true;
    }

    @Override
    public RuntimeAdapter create(RuntimeSettings settings) {
        settings.requireCpu(name());
        return new XgboostRuntimeAdapter(settings.checkModelFiles());
    }
}
