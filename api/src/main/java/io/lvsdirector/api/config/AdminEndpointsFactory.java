package io.lvsdirector.api.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.setup.AdminEnvironment;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.jetty.MutableServletContextHandler;
import java.util.Arrays;
import java.util.EventListener;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.servlet.ServletMapping;

/**
 * {@code adminEndpoints:} what the admin port serves besides {@code /healthcheck}, {@code /metrics} and
 * {@code /ping}. Both off by default.
 *
 * <pre>
 * adminEndpoints:
 *   tasks: false        # POST /tasks/log-level, /tasks/gc (Dropwizard's admin tasks)
 *   diagnostics: false  # GET /threads (thread dump), /pprof (CPU profile)
 * </pre>
 *
 * <p>Why off: the admin port has no authentication. {@code /tasks/log-level} lets anyone who reaches it
 * raise Jetty's or Jersey's loggers to DEBUG, which writes request headers, bearer tokens among them, to
 * the journal, or silence {@code io.lvsdirector.changes}; {@code /tasks/gc}, {@code /threads} and
 * {@code /pprof} cost CPU and stop the world on demand. The section is not Dropwizard's {@code admin:}
 * (that one already has a {@code tasks:} object of its own).
 *
 * <p>Dropwizard 5.0.1 puts them there in two places: {@code AdminEnvironment}'s constructor adds the
 * {@code TaskServlet} (with the {@code gc} and {@code log-level} tasks) on {@code /tasks/*} before the
 * application's {@code run}; the server factory later adds metrics' {@code AdminServlet} on {@code /*},
 * which serves {@code /threads} and {@code /pprof} unless the admin context's init parameters
 * {@code threads-enabled} / {@code cpu-profile-enabled} say {@code false}. {@link #apply} undoes the
 * first and sets the second, so it must run inside {@code Application.run}.
 */
public class AdminEndpointsFactory {

    /** Servlet name {@code AdminEnvironment} registers the task servlet under. */
    static final String TASK_SERVLET = "tasks";

    /** Dropwizard's admin tasks on {@code /tasks/*}: {@code log-level} and {@code gc}, and any added later. */
    @JsonProperty
    private boolean tasks = false;

    /** Thread dumps on {@code /threads} and CPU profiles on {@code /pprof}. */
    @JsonProperty
    private boolean diagnostics = false;

    public boolean isTasks() {
        return tasks;
    }

    public void setTasks(boolean tasks) {
        this.tasks = tasks;
    }

    public boolean isDiagnostics() {
        return diagnostics;
    }

    public void setDiagnostics(boolean diagnostics) {
        this.diagnostics = diagnostics;
    }

    /**
     * Removes what is off from the admin context. Call from {@code Application.run}: after Dropwizard
     * registered the task servlet, before the server is built and the servlets are initialised.
     */
    public void apply(Environment environment) {
        MutableServletContextHandler admin = environment.getAdminContext();
        if (!tasks) {
            // No API removes a servlet: take its mapping and its holder out of the handler before it starts.
            ServletHandler handler = admin.getServletHandler();
            ServletMapping[] mappings = handler.getServletMappings();
            if (mappings != null) {
                handler.setServletMappings(Arrays.stream(mappings)
                        .filter(m -> !TASK_SERVLET.equals(m.getServletName())).toArray(ServletMapping[]::new));
            }
            ServletHolder[] holders = handler.getServlets();
            if (holders != null) {
                handler.setServlets(Arrays.stream(holders)
                        .filter(h -> !TASK_SERVLET.equals(h.getName())).toArray(ServletHolder[]::new));
            }
            // AdminEnvironment's start listener would still log "tasks = POST /tasks/log-level ...": the
            // servlet keeps its task list. Its only other line warns when no health check is registered,
            // and the application always registers one.
            for (EventListener l : List.copyOf(admin.getEventListeners())) {
                if (l.getClass().getEnclosingClass() == AdminEnvironment.class) {
                    admin.removeEventListener(l);
                }
            }
        }
        if (!diagnostics) {
            // Read by metrics' AdminServlet when it initialises (AdminServlet.*_ENABLED_PARAM_KEY).
            admin.setInitParameter("threads-enabled", "false");
            admin.setInitParameter("cpu-profile-enabled", "false");
        }
    }
}
