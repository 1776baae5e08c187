package dev.baton.engine;

/** Unknown task or agent (HTTP 404). */
public final class NotFoundException extends BatonException {

    public NotFoundException(String code, String message) {
        super(code, message);
    }

    public static NotFoundException task(String id) {
        return new NotFoundException("task_not_found", "no task with id '" + id + "'");
    }

    public static NotFoundException agent(String id) {
        return new NotFoundException("agent_not_found", "no agent with id '" + id + "'; register it with PUT /v1/agents/" + id);
    }
}
