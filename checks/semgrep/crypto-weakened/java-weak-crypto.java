import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;

public class Crypto {
    void setup() throws Exception {
        // ruleid: java-weak-crypto
        Cipher a = Cipher.getInstance("AES");
        // ruleid: java-weak-crypto
        Cipher b = Cipher.getInstance("AES/ECB/PKCS5Padding");
        // ruleid: java-weak-crypto
        IvParameterSpec iv = new IvParameterSpec(new byte[16]);
        // ruleid: java-weak-crypto
        kpg.initialize(1024);
        // ok: java-weak-crypto
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        // ok: java-weak-crypto
        kpg.initialize(3072);
    }
}
