package io.lvsdirector.api.ecmp;

import io.lvsdirector.core.ecmp.VipRange;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.k8s.LvsServiceStore;
import io.lvsdirector.spec.SpecValidationException;
import java.util.List;
import java.util.Optional;

/**
 * The ecmp mode's rule for a service spec: a service whose VIP is in an announced range uses {@code mh}.
 * Every director must pick the same real server for a flow, or a flow the router moves to another director
 * breaks. Both write paths apply it: a REST PUT is refused (422, {@code field: scheduler}); an
 * {@code LvsService} object that breaks it is invalid like any other bad spec ({@link #asSpecRule()}).
 *
 * @param ranges the announced ranges; empty when the mode is off (then every spec passes)
 */
public record EcmpSchedulerRule(List<VipRange> ranges) {

    /** The field a refusal blames. */
    public static final String FIELD = "scheduler";

    public EcmpSchedulerRule {
        ranges = List.copyOf(ranges);
    }

    /** What is wrong with {@code spec} under this rule, in words an operator can act on; empty when it passes. */
    public Optional<String> problem(ServiceSpec spec) {
        var vip = spec.service().vip();
        if ("mh".equals(spec.service().scheduler()) || ranges.stream().noneMatch(r -> r.contains(vip))) {
            return Optional.empty();
        }
        return Optional.of("in the ecmp mode a service on an announced range must use the mh scheduler"
                + " (Maglev hashing: every director picks the same real server for a flow); got '"
                + spec.service().scheduler() + "'");
    }

    /** The rule as the {@code LvsService} store applies it: a {@link SpecValidationException} on {@link #FIELD}. */
    public LvsServiceStore.SpecRule asSpecRule() {
        return spec -> problem(spec).ifPresent(p -> {
            throw new SpecValidationException(List.of(new SpecValidationException.FieldError(FIELD, p)));
        });
    }
}
