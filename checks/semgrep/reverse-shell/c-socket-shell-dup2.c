#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

int extra(void)
{
	int fd, rfd;
	struct sockaddr_in sa;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_family = AF_INET;
	sa.sin_port = htons(4444);
	sa.sin_addr.s_addr = INADDR_ANY;
	bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	listen(fd, 10);
	for (;;) {
		rfd = accept(fd, 0, 0);
		// ruleid: c-socket-shell-dup2
		dup2(rfd, 0); dup2(rfd, 1); dup2(rfd, 2);
		execl("/bin/sh", "sh", (char *)0);
	}
}

void connect_back(int s)
{
	// ruleid: c-socket-shell-dup2
	dup2(s, STDIN_FILENO);
	dup2(s, STDOUT_FILENO);
	execve("/bin/bash", argv, NULL);
}

void daemonize(void)
{
	int null = open("/dev/null", O_RDWR);
	// ok: c-socket-shell-dup2
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	execvp(prog_argv[0], prog_argv);
}

void run_filter(int pipefd)
{
	// ok: c-socket-shell-dup2
	dup2(pipefd, 1);
	execlp("gzip", "gzip", "-c", (char *)0);
}
