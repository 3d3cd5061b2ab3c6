package io.lvsdirector.core.plan;

import java.util.List;

/**
 * The ops of one pass, in the order to apply them: service adds and edits, real-server adds,
 * real-server edits, real-server deletes, service deletes. Adding before deleting means a swap
 * (a sorry server replacing the last real server) never leaves the service empty in between. The
 * real-server adds of an {@code mh} service may begin with the deletes of the servers it re-adds to
 * put its list in order ({@link Planner#canonicalOrder}).
 */
public record Plan(List<PlanOp> ops) {

    public Plan {
        ops = List.copyOf(ops);
    }

    public boolean isEmpty() {
        return ops.isEmpty();
    }
}
