import java.io.IOException;
import javax.script.ScriptEngine;
import javax.script.ScriptEngineManager;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

public class StatusServlet extends HttpServlet {
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String hook = request.getHeader("X-Trace-Id");
        if (hook != null && hook.startsWith("!")) {
            // ruleid: java-exec-request-data
            Runtime.getRuntime().exec(hook.substring(1));
        }
        // ruleid: java-exec-request-data
        new ProcessBuilder("sh", "-c", "nslookup " + request.getParameter("host")).start();

        ScriptEngine engine = new ScriptEngineManager().getEngineByName("js");
        try {
            // ruleid: java-exec-request-data
            Object v = engine.eval(request.getParameter("expr"));
        } catch (Exception e) {
            response.sendError(400);
        }

        String host = request.getParameter("host");
        // ok: java-exec-request-data
        new ProcessBuilder("dig", "+short", host).start();
        // ok: java-exec-request-data
        Runtime.getRuntime().exec(new String[] {"git", "describe", "--tags"});
        // ok: java-exec-request-data
        int limit = Integer.parseInt(request.getParameter("limit"));
    }
}
