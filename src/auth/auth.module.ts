import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { BearerStrategy } from './bearer.strategy';
import { FailedAuthLimiter } from './failed-auth-limiter';
import { TokenCache } from './token-cache';
import { TokensService } from './tokens.service';

@Module({
  imports: [PassportModule],
  providers: [TokenCache, FailedAuthLimiter, TokensService, BearerStrategy],
  exports: [TokensService],
})
export class AuthModule {}
