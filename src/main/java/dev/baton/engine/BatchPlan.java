package dev.baton.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Everything a batch submission decides before it changes anything: each member's id, its
 * dependencies resolved to ids (refs of the batch first, then existing tasks), and an order in
 * which every member comes after its parents. Any problem is thrown here, naming the member, so
 * the coordinator's apply step cannot fail halfway and a refused batch leaves nothing behind.
 *
 * <p>Cost: O(members + edges) with hash lookups; the cycle check is Kahn's algorithm, and only a
 * batch that has a cycle pays for walking it to name its members.
 */
final class BatchPlan {

    /** Member indexes in an order where parents come first. */
    final int[] order;
    /** Per member: its final spec (id set, dependencies as ids). */
    final TaskSpec[] specs;
    /** Per member: the task it already is (same id, same body), or null to create. */
    final Task[] existing;
    /** Per member: parents that are tasks outside the batch. */
    final List<List<Task>> outsideParents;
    /** Per member: parents that are members of the batch, by index. */
    final int[][] insideParents;
    final int newCount;

    private BatchPlan(int[] order, TaskSpec[] specs, Task[] existing, List<List<Task>> outsideParents,
            int[][] insideParents, int newCount) {
        this.order = order;
        this.specs = specs;
        this.existing = existing;
        this.outsideParents = outsideParents;
        this.insideParents = insideParents;
        this.newCount = newCount;
    }

    static BatchPlan of(List<BatchItem> items, int maxDependencies, Function<String, Task> find, Supplier<String> newId) {
        int n = items.size();
        Map<String, Integer> byName = new HashMap<>(n * 2);
        String[] ids = new String[n];
        for (int i = 0; i < n; i++) {
            BatchItem item = items.get(i);
            if (item == null || item.spec() == null) {
                throw new InvalidRequestException(member(i, null), "is empty");
            }
            String ref = item.ref();
            if (ref != null) {
                try {
                    Ids.requireValid("ref", ref);
                } catch (InvalidRequestException e) {
                    throw e.under(member(i, null));
                }
            }
            try {
                Specs.validate(item.spec());
            } catch (InvalidRequestException e) {
                throw e.under(member(i, ref));
            }
            if (ref != null) {
                Integer other = byName.put(ref, i);
                if (other != null) {
                    throw new InvalidRequestException(member(i, ref) + ".ref", "'" + ref + "' is also used by "
                            + member(other, items.get(other).ref()));
                }
            }
        }
        for (int i = 0; i < n; i++) {
            String id = items.get(i).spec().id();
            if (id != null) {
                Integer other = byName.get(id);
                if (other != null && other != i) {
                    throw new InvalidRequestException(member(i, items.get(i).ref()) + ".id", "'" + id
                            + "' is also the ref or id of " + member(other, items.get(other).ref()));
                }
                byName.put(id, i);
            }
        }
        for (int i = 0; i < n; i++) {
            String id = items.get(i).spec().id();
            ids[i] = id != null ? id : newId.get();
        }

        TaskSpec[] specs = new TaskSpec[n];
        Task[] existing = new Task[n];
        List<List<Task>> outside = new ArrayList<>(n);
        int[][] inside = new int[n][];
        int[] pendingParents = new int[n];
        List<List<Integer>> children = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            children.add(null);
        }
        int newCount = 0;
        for (int i = 0; i < n; i++) {
            BatchItem item = items.get(i);
            List<String> deps = item.spec().dependsOn();
            if (deps.size() > maxDependencies) {
                throw new InvalidRequestException(member(i, item.ref()) + ".depends_on", "has " + deps.size()
                        + " entries, more than the limit of " + maxDependencies);
            }
            List<String> resolved = new ArrayList<>(deps.size());
            Set<String> seen = new HashSet<>();
            List<Task> out = List.of();
            Set<Integer> in = new LinkedHashSet<>();
            List<String> unknown = new ArrayList<>();
            for (String dep : deps) {
                Integer j = byName.get(dep);
                if (j != null) {
                    if (in.add(j) && seen.add(ids[j])) {
                        resolved.add(ids[j]);
                    }
                    continue;
                }
                Task parent = find.apply(dep);
                if (parent == null) {
                    unknown.add(dep);
                } else if (seen.add(dep)) {
                    if (out.isEmpty()) {
                        out = new ArrayList<>();
                    }
                    out.add(parent);
                    resolved.add(dep);
                }
            }
            if (!unknown.isEmpty()) {
                throw new InvalidRequestException(member(i, item.ref()) + ".depends_on",
                        "unknown task ids or refs " + unknown);
            }
            TaskSpec spec = item.spec().withId(ids[i]).withDependsOn(resolved);
            Task already = item.spec().id() == null ? null : find.apply(ids[i]);
            if (already != null) {
                if (!already.spec.equals(spec)) {
                    throw new ConflictException("id_conflict", member(i, item.ref()) + ": task '" + ids[i]
                            + "' exists with a different body; use a new id");
                }
                existing[i] = already;
            } else {
                newCount++;
            }
            specs[i] = spec;
            outside.add(out);
            inside[i] = in.stream().mapToInt(Integer::intValue).toArray();
            pendingParents[i] = inside[i].length;
            for (int j : inside[i]) {
                if (children.get(j) == null) {
                    children.set(j, new ArrayList<>(2));
                }
                children.get(j).add(i);
            }
        }

        int[] order = topologicalOrder(n, pendingParents, children);
        if (order == null) {
            throw new InvalidRequestException("tasks", "dependency cycle: " + describeCycle(items, inside, pendingParents));
        }
        return new BatchPlan(order, specs, existing, outside, inside, newCount);
    }

    /** Kahn's algorithm; null when some members are on or behind a cycle ({@code pending} > 0 marks them). */
    private static int[] topologicalOrder(int n, int[] pending, List<List<Integer>> children) {
        int[] order = new int[n];
        int head = 0;
        int tail = 0;
        for (int i = 0; i < n; i++) {
            if (pending[i] == 0) {
                order[tail++] = i;
            }
        }
        while (head < tail) {
            List<Integer> next = children.get(order[head++]);
            if (next == null) {
                continue;
            }
            for (int child : next) {
                if (--pending[child] == 0) {
                    order[tail++] = child;
                }
            }
        }
        return tail == n ? order : null;
    }

    /**
     * Every member left with pending parents has one that is also left, so walking to such a
     * parent from any of them must come back round: the first repeat closes the cycle.
     */
    private static String describeCycle(List<BatchItem> items, int[][] inside, int[] pending) {
        int start = 0;
        while (pending[start] == 0) {
            start++;
        }
        Map<Integer, Integer> step = new HashMap<>();
        List<Integer> path = new ArrayList<>();
        int at = start;
        while (!step.containsKey(at)) {
            step.put(at, path.size());
            path.add(at);
            int next = -1;
            for (int parent : inside[at]) {
                if (pending[parent] > 0) {
                    next = parent;
                    break;
                }
            }
            at = next;
        }
        List<Integer> cycle = path.subList(step.get(at), path.size());
        ArrayDeque<String> names = new ArrayDeque<>();
        for (int i : cycle) {
            names.addFirst(name(items, i)); // walked child → parent; print parent → child
        }
        names.addLast(names.getFirst());
        return String.join(" -> ", names);
    }

    private static String name(List<BatchItem> items, int i) {
        BatchItem item = items.get(i);
        return item.ref() != null ? item.ref() : item.spec().id() != null ? item.spec().id() : "tasks[" + i + "]";
    }

    private static String member(int i, String ref) {
        return "tasks[" + i + "]" + (ref == null ? "" : "(" + ref + ")");
    }
}
