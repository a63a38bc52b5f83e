export { loadConfig, ConfigError, type AppConfig } from './config.js';
export { APP_CONFIG, ConfigModule } from './config.module.js';
export { DEVELOPMENT_JWT_SECRET } from './config.js';
