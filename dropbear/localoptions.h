/* Slipway's dropbear (the SSH hook): options over upstream's default_options.h.
 * It runs as the user inside arbitrary images, so: no password or PAM logins (keys only), no
 * message of the day, a login PATH that covers the usual places (the session script replays the
 * container's environment on top), and no host key defaults under /etc (the hook passes -r). */
#define DROPBEAR_SVR_PASSWORD_AUTH 0
#define DROPBEAR_CLI_PASSWORD_AUTH 0
#define DROPBEAR_SVR_PAM_AUTH 0
#define DO_MOTD 0
#define DEFAULT_PATH "/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin"
#define DEFAULT_ROOT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define DROPBEAR_SFTPSERVER 1
#define SFTPSERVER_PATH "/usr/lib/openssh/sftp-server"
#define DROPBEAR_X11FWD 0
#define DROPBEAR_DSS 0
