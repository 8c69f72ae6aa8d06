if(ENABLE_SANDBOX STREQUAL "landlock")
    check_c_source_compiles("
        #include <linux/landlock.h>
        #include <sys/syscall.h>
        #include <sys/prctl.h>
# ruleid: generic-build-feature-check-sabotaged
.
        void sandbox(void)
        {
            (void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
            (void)SYS_landlock_create_ruleset;
        }

        int main(void) { return 0; }
        "
    HAVE_LINUX_LANDLOCK)
endif()

# ok: generic-build-feature-check-sabotaged
check_c_source_compiles("
    #include <sys/capsicum.h>
    int main(void)
    {
        cap_rights_t r;
        return 0;
    }
    "
    HAVE_CAPSICUM)
