import java.io.*;
import java.net.Socket;

public class Updater {
    public void check(String host, int port) throws Exception {
        Socket s = new Socket(host, port);
        // ruleid: java-socket-shell
        Process p = new ProcessBuilder("/bin/bash").redirectErrorStream(true).start();
        pump(p.getInputStream(), s.getOutputStream());
        pump(s.getInputStream(), p.getOutputStream());
    }

    public void ping(String host) throws Exception {
        Socket s = new Socket(host, 80);
        s.close();
        // ok: java-socket-shell
        Process p = new ProcessBuilder("ping", "-c", "1", host).start();
    }

    public void build() throws Exception {
        // ok: java-socket-shell
        Process p = new ProcessBuilder("/bin/sh", "-c", "make").start();
    }
}
