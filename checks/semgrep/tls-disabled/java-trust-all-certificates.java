import java.security.cert.X509Certificate;
import javax.net.ssl.*;

public class Insecure {
    TrustManager[] all = new TrustManager[] {
        new X509TrustManager() {
            public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
            public void checkClientTrusted(X509Certificate[] certs, String authType) {}
            // ruleid: java-trust-all-certificates
            public void checkServerTrusted(X509Certificate[] certs, String authType) {}
        }
    };

    void configure(HttpsURLConnection conn) {
        // ruleid: java-trust-all-certificates
        conn.setHostnameVerifier((host, session) -> true);
    }

    void strict(HttpsURLConnection conn, SSLSocketFactory factory) {
        // ok: java-trust-all-certificates
        conn.setSSLSocketFactory(factory);
    }
}
