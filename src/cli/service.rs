//! `sportello service install|uninstall|run`: the binary registers itself as a Windows service
//! (automatic start, restarted by Windows if it stops on an error) and runs as one. The MSI
//! registers the same service through its own tables; `run` is what Windows starts either way.

use clap::Subcommand;

use super::serve::Options;

#[derive(Subcommand)]
pub enum ServiceCommand {
    /// Register Sportello as a Windows service (starts with Windows, restarted on failure) and
    /// start it. The --data, --bind and --tls options given here are the service's.
    Install,
    /// Change the service's address and HTTPS (--bind, --tls, --tls-cert/--tls-key), kept in
    /// `<data>/servizio.conf` so that upgrades keep them, and restart it.
    Configure,
    /// Stop and remove the Windows service. The data directory stays.
    Uninstall,
    /// Run as the Windows service (Windows calls this; not for use by hand).
    Run,
}

/// The service's name, as `sc` and the Services console show it (the MSI uses the same).
#[cfg(windows)]
const SERVICE_NAME: &str = "Sportello";

#[cfg(not(windows))]
pub fn run(_command: ServiceCommand, _options: Options) -> Result<(), String> {
    Err(
        "Il servizio di Windows esiste solo su Windows. Su Linux Sportello si installa con il \
         pacchetto .deb, che lo avvia come servizio systemd «sportello»."
            .into(),
    )
}

#[cfg(windows)]
pub fn run(command: ServiceCommand, options: Options) -> Result<(), String> {
    let options = windows::with_default_data(options);
    match command {
        ServiceCommand::Install => windows::install(&options),
        ServiceCommand::Configure => windows::configure(&options),
        ServiceCommand::Uninstall => windows::uninstall(),
        ServiceCommand::Run => windows::run_dispatcher(options),
    }
}

#[cfg(windows)]
mod windows {
    use std::ffi::{OsStr, OsString};
    use std::path::PathBuf;
    use std::sync::{mpsc, OnceLock};
    use std::time::Duration;

    use windows_service::service::{
        ServiceAccess, ServiceAction, ServiceActionType, ServiceControl, ServiceControlAccept,
        ServiceErrorControl, ServiceExitCode, ServiceFailureActions, ServiceFailureResetPeriod,
        ServiceInfo, ServiceStartType, ServiceState, ServiceStatus, ServiceType,
    };
    use windows_service::service_control_handler::{self, ServiceControlHandlerResult};
    use windows_service::service_manager::{ServiceManager, ServiceManagerAccess};
    use windows_service::{define_windows_service, service_dispatcher};

    use super::{Options, SERVICE_NAME};
    use crate::cli::service_conf::ServiceConf;

    /// The options `service run` was started with, for the service's main function.
    static OPTIONS: OnceLock<Options> = OnceLock::new();

    /// With the default relative data directory, a service uses `%ProgramData%\Sportello`
    /// (a service's working directory is the system folder).
    pub fn with_default_data(mut options: Options) -> Options {
        if options.data.is_relative() {
            let base = std::env::var_os("ProgramData")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(r"C:\ProgramData"));
            options.data = if options.data == std::path::Path::new("./sportello-data") {
                base.join("Sportello")
            } else {
                std::env::current_dir().unwrap_or(base).join(&options.data)
            };
        }
        options
    }

    fn error(context: &str, e: windows_service::Error) -> String {
        format!("{context}: {e} (serve una finestra di comando «Esegui come amministratore»)")
    }

    /// Only SYSTEM and the Administrators may open the data directory (ProgramData is readable
    /// by every user of the PC by default). Uses the well-known SIDs, valid in every language.
    fn restrict_data_dir(data: &std::path::Path) {
        if let Err(e) = std::fs::create_dir_all(data) {
            tracing::warn!("cartella dei dati {} non creata: {e}", data.display());
            return;
        }
        let status = std::process::Command::new("icacls")
            .arg(data)
            .args([
                "/inheritance:r",
                "/grant:r",
                "*S-1-5-18:(OI)(CI)F",
                "/grant:r",
                "*S-1-5-32-544:(OI)(CI)F",
            ])
            .stdout(std::process::Stdio::null())
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            tracing::warn!(
                "permessi della cartella {} non ristretti (icacls): controllarli a mano",
                data.display()
            );
        }
    }

    /// Restart after 10 s, 30 s, then every minute; the count resets after a day without failures.
    fn restart_on_failure(
        service: &windows_service::service::Service,
    ) -> windows_service::Result<()> {
        let restart = |secs| ServiceAction {
            action_type: ServiceActionType::Restart,
            delay: Duration::from_secs(secs),
        };
        service.update_failure_actions(ServiceFailureActions {
            reset_period: ServiceFailureResetPeriod::After(Duration::from_secs(86_400)),
            reboot_msg: None,
            command: None,
            actions: Some(vec![restart(10), restart(30), restart(60)]),
        })?;
        // Also when the program exits with an error rather than crashing.
        service.set_failure_actions_on_non_crash_failures(true)
    }

    /// Checks the options and saves them in the data directory, where `service run` reads them.
    fn save_options(options: &Options) -> Result<(), String> {
        let cert = crate::cli::service_conf::validate(options)?;
        crate::cli::service_conf::write(&options.data, &ServiceConf::of(options))?;
        if let Some(cert) = cert {
            println!(
                "HTTPS attivo. Impronta del certificato (da confrontare nel browser degli altri PC): {}",
                cert.fingerprint
            );
        }
        Ok(())
    }

    /// Waits (up to `secs`) for the service to reach `state`; returns the last state seen.
    fn wait_for(
        service: &windows_service::service::Service,
        state: ServiceState,
        secs: u64,
    ) -> Option<ServiceState> {
        let mut last = None;
        for _ in 0..secs * 4 {
            last = service.query_status().ok().map(|s| s.current_state);
            if last == Some(state) {
                break;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        last
    }

    /// Starts the service and checks that it keeps running (a bad option stops it at once).
    fn start_and_check(
        service: &windows_service::service::Service,
        options: &Options,
    ) -> Result<(), String> {
        service
            .start(&[] as &[&OsStr])
            .map_err(|e| error("Servizio registrato ma non avviato", e))?;
        // Past the start, then one look: a service that failed would be restarted by the
        // failure policy after 10 s, and must not be mistaken for one that kept running.
        for _ in 0..40 {
            match service.query_status().map(|s| s.current_state) {
                Ok(ServiceState::StartPending) => std::thread::sleep(Duration::from_millis(250)),
                _ => break,
            }
        }
        std::thread::sleep(Duration::from_secs(3));
        match service.query_status().ok().map(|s| s.current_state) {
            Some(ServiceState::Running) => {
                println!(
                    "Servizio «{SERVICE_NAME}» in funzione (dati in {}). Su questo PC aprire {} nel browser.",
                    options.data.display(),
                    crate::cli::serve::browser_address(&options.bind, options.tls.is_some())
                );
                Ok(())
            }
            _ => Err(format!(
                "Il servizio si è fermato subito: il motivo è in {}",
                options.data.join("sportello.log").display()
            )),
        }
    }

    pub fn install(options: &Options) -> Result<(), String> {
        // Checked now, saved only once the service exists (a failed install changes nothing).
        crate::cli::service_conf::validate(options)?;
        let manager = ServiceManager::local_computer(
            None::<&str>,
            ServiceManagerAccess::CONNECT | ServiceManagerAccess::CREATE_SERVICE,
        )
        .map_err(|e| error("Gestione servizi non raggiungibile", e))?;
        let exe = std::env::current_exe().map_err(|e| format!("Percorso del programma: {e}"))?;
        restrict_data_dir(&options.data);
        // As the MSI does: only the data directory; the rest is in servizio.conf there.
        let launch_arguments: Vec<OsString> = vec![
            "--data".into(),
            options.data.clone().into_os_string(),
            "service".into(),
            "run".into(),
        ];
        let info = ServiceInfo {
            name: SERVICE_NAME.into(),
            display_name: "Sportello - Segretariato Sociale".into(),
            service_type: ServiceType::OWN_PROCESS,
            start_type: ServiceStartType::AutoStart,
            error_control: ServiceErrorControl::Normal,
            executable_path: exe,
            launch_arguments,
            dependencies: vec![],
            account_name: None, // LocalSystem: the data directory is closed to other users
            account_password: None,
        };
        let service = manager
            .create_service(
                &info,
                ServiceAccess::CHANGE_CONFIG | ServiceAccess::START | ServiceAccess::QUERY_STATUS,
            )
            .map_err(|e| error("Servizio non registrato (già installato?)", e))?;
        save_options(options)?;
        service
            .set_description("Lo sportello del Segretariato Sociale, nel browser di questo PC.")
            .map_err(|e| error("Descrizione del servizio", e))?;
        // Not fatal: the service works without it, and the command to set it by hand is given.
        if let Err(e) = restart_on_failure(&service) {
            eprintln!(
                "Attenzione: riavvio automatico del servizio non impostato ({e}). Impostarlo con: \
                 sc failure {SERVICE_NAME} reset= 86400 actions= restart/10000/restart/30000/restart/60000"
            );
        }
        start_and_check(&service, options)?;
        println!("Servizio «{SERVICE_NAME}» installato.");
        Ok(())
    }

    pub fn configure(options: &Options) -> Result<(), String> {
        let manager = ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::CONNECT)
            .map_err(|e| error("Gestione servizi non raggiungibile", e))?;
        let service = manager
            .open_service(
                SERVICE_NAME,
                ServiceAccess::QUERY_STATUS
                    | ServiceAccess::QUERY_CONFIG
                    | ServiceAccess::STOP
                    | ServiceAccess::START,
            )
            .map_err(|e| error("Servizio non trovato", e))?;
        // The options go where the installed service reads them: its own --data.
        let mut options = options.clone();
        if let Some(data) = service.query_config().ok().and_then(|c| {
            crate::cli::service_conf::data_argument(&c.executable_path.to_string_lossy())
        }) {
            options.data = PathBuf::from(data);
        }
        let options = &options;
        save_options(options)?;
        if service
            .query_status()
            .is_ok_and(|s| s.current_state != ServiceState::Stopped)
        {
            service
                .stop()
                .map_err(|e| error("Arresto del servizio", e))?;
            wait_for(&service, ServiceState::Stopped, 30);
        }
        start_and_check(&service, options)
    }

    pub fn uninstall() -> Result<(), String> {
        let manager = ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::CONNECT)
            .map_err(|e| error("Gestione servizi non raggiungibile", e))?;
        let service = manager
            .open_service(
                SERVICE_NAME,
                ServiceAccess::QUERY_STATUS | ServiceAccess::STOP | ServiceAccess::DELETE,
            )
            .map_err(|e| error("Servizio non trovato", e))?;
        if service
            .query_status()
            .is_ok_and(|s| s.current_state != ServiceState::Stopped)
        {
            service
                .stop()
                .map_err(|e| error("Arresto del servizio", e))?;
            // Deleting a running service only marks it, and a new install would then fail.
            wait_for(&service, ServiceState::Stopped, 30);
        }
        service
            .delete()
            .map_err(|e| error("Rimozione del servizio", e))?;
        println!("Servizio «{SERVICE_NAME}» rimosso. I dati restano nella loro cartella.");
        Ok(())
    }

    pub fn run_dispatcher(options: Options) -> Result<(), String> {
        if std::fs::create_dir_all(&options.data).is_ok() {
            super::super::init_file_logging(&options.data);
        }
        // The address and HTTPS saved by install/configure (the MSI passes only --data).
        let options = match crate::cli::service_conf::read(&options.data) {
            Ok(Some(conf)) => conf.apply(options),
            Ok(None) => options,
            Err(e) => {
                tracing::error!("{e}");
                return Err(e);
            }
        };
        let _ = OPTIONS.set(options);
        service_dispatcher::start(SERVICE_NAME, ffi_service_main).map_err(|e| {
            format!("Avvio come servizio non riuscito ({e}): questo comando lo usa Windows; per provare a mano usare «sportello serve».")
        })
    }

    define_windows_service!(ffi_service_main, service_main);

    fn service_main(_arguments: Vec<OsString>) {
        let Some(options) = OPTIONS.get().cloned() else {
            return;
        };
        if let Err(e) = run_service(options) {
            tracing::error!("servizio: {e}");
        }
    }

    fn status(state: ServiceState, exit: ServiceExitCode) -> ServiceStatus {
        ServiceStatus {
            service_type: ServiceType::OWN_PROCESS,
            current_state: state,
            controls_accepted: if state == ServiceState::Running {
                ServiceControlAccept::STOP | ServiceControlAccept::SHUTDOWN
            } else {
                ServiceControlAccept::empty()
            },
            exit_code: exit,
            checkpoint: 0,
            wait_hint: Duration::from_secs(15),
            process_id: None,
        }
    }

    /// The service's status handle, for the control handler to say "stopping".
    static STATUS: OnceLock<service_control_handler::ServiceStatusHandle> = OnceLock::new();

    fn run_service(options: Options) -> windows_service::Result<()> {
        let (stop_tx, stop_rx) = mpsc::channel();
        let handler = move |event| {
            // At Windows shutdown there is little time: stop at once (every write is already
            // committed) so that the database is closed cleanly before the system goes down.
            let graceful = match event {
                ServiceControl::Stop => true,
                ServiceControl::Shutdown => false,
                ServiceControl::Interrogate => return ServiceControlHandlerResult::NoError,
                _ => return ServiceControlHandlerResult::NotImplemented,
            };
            if let Some(h) = STATUS.get() {
                let _ = h.set_service_status(status(
                    ServiceState::StopPending,
                    ServiceExitCode::Win32(0),
                ));
            }
            let _ = stop_tx.send(graceful);
            ServiceControlHandlerResult::NoError
        };
        let handle = service_control_handler::register(SERVICE_NAME, handler)?;
        let _ = STATUS.set(handle);
        handle.set_service_status(status(ServiceState::Running, ServiceExitCode::Win32(0)))?;
        restrict_data_dir(&options.data);
        // Installed by the MSI, the service gets its restart policy on its first start.
        if let Ok(manager) =
            ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::CONNECT)
        {
            // A restart action needs SERVICE_START besides SERVICE_CHANGE_CONFIG.
            if let Ok(service) = manager.open_service(
                SERVICE_NAME,
                ServiceAccess::CHANGE_CONFIG | ServiceAccess::START,
            ) {
                if let Err(e) = restart_on_failure(&service) {
                    tracing::warn!("riavvio automatico non impostato: {e}");
                }
            }
        }
        let outcome = super::super::serve::run(&options, Some(stop_rx));
        let exit = match &outcome {
            Ok(()) => ServiceExitCode::Win32(0),
            Err(e) => {
                tracing::error!("{e}");
                // A service-specific code makes Windows apply the restart policy.
                ServiceExitCode::ServiceSpecific(1)
            }
        };
        handle.set_service_status(status(ServiceState::Stopped, exit))
    }
}
