package ai.aicrypto.plaza.dataset;

import java.util.Set;

/**
 * Training on others' datasets granted other than by a license: a competition's participants train on its training
 * dataset, which they may download as participants anyway. Implemented by the modules that grant it; asked by
 * {@link Datasets#trainableBy}.
 */
public interface DatasetTrainingGrants {

    /** The datasets {@code userId} may train on by this grant. */
    Set<Long> grantedTo(long userId);
}
