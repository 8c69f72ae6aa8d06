public class LoginService {
    public boolean authenticate(String user, String password) {
        // ruleid: java-credential-compare-literal
        if (password.equals("M4intenance#1")) {
            return true;
        }
        return repository.check(user, password);
    }

    public boolean apiAccess(Request req) {
        // ruleid: java-credential-compare-literal
        return "k-99182-internal".equals(req.getToken());
    }

    public boolean isBearer(String scheme) {
        // ok: java-credential-compare-literal
        return scheme.equalsIgnoreCase("Bearer");
    }

    public boolean emptyPassword(String password) {
        // ok: java-credential-compare-literal
        return password.equals("");
    }

    public boolean verify(String password, String stored) {
        // ok: java-credential-compare-literal
        return encoder.matches(password, stored);
    }
}
