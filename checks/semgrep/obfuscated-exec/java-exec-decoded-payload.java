import java.util.Base64;

public class Loader extends ClassLoader {
    public void boot(String blob) throws Exception {
        byte[] bytes = Base64.getDecoder().decode(blob);
        // ruleid: java-exec-decoded-payload
        Class<?> c = defineClass("x.Payload", bytes, 0, bytes.length);
        c.newInstance();
    }

    public void run() throws Exception {
        // ruleid: java-exec-decoded-payload
        Runtime.getRuntime().exec(new String(Base64.getDecoder().decode("Y3VybCBodHRw")));
    }

    public byte[] avatar(String data) {
        // ok: java-exec-decoded-payload
        return Base64.getDecoder().decode(data);
    }

    public void version() throws Exception {
        // ok: java-exec-decoded-payload
        new ProcessBuilder("git", "describe", "--tags").start();
    }
}
