// Original file: protos/streamplatform/v1/accounts.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Account as _streamplatform_v1_Account, Account__Output as _streamplatform_v1_Account__Output } from '../../streamplatform/v1/Account.ts';
import type { GetAccountRequest as _streamplatform_v1_GetAccountRequest, GetAccountRequest__Output as _streamplatform_v1_GetAccountRequest__Output } from '../../streamplatform/v1/GetAccountRequest.ts';
import type { GetMailAddressRequest as _streamplatform_v1_GetMailAddressRequest, GetMailAddressRequest__Output as _streamplatform_v1_GetMailAddressRequest__Output } from '../../streamplatform/v1/GetMailAddressRequest.ts';
import type { MailAddress as _streamplatform_v1_MailAddress, MailAddress__Output as _streamplatform_v1_MailAddress__Output } from '../../streamplatform/v1/MailAddress.ts';

export interface AccountServiceClient extends grpc.Client {
  /**
   * NOT_FOUND for an account that does not exist: never made, or deleted. Functions ask it
   * before they honour a session token, so a deleted account's tokens stop working.
   */
  GetAccount(argument: _streamplatform_v1_GetAccountRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_Account__Output>): grpc.ClientUnaryCall;
  GetAccount(argument: _streamplatform_v1_GetAccountRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_streamplatform_v1_Account__Output>): grpc.ClientUnaryCall;
  GetAccount(argument: _streamplatform_v1_GetAccountRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_Account__Output>): grpc.ClientUnaryCall;
  GetAccount(argument: _streamplatform_v1_GetAccountRequest, callback: grpc.requestCallback<_streamplatform_v1_Account__Output>): grpc.ClientUnaryCall;
  /**
   * NOT_FOUND for an account that does not exist: never made, or deleted. Functions ask it
   * before they honour a session token, so a deleted account's tokens stop working.
   */
  getAccount(argument: _streamplatform_v1_GetAccountRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_Account__Output>): grpc.ClientUnaryCall;
  getAccount(argument: _streamplatform_v1_GetAccountRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_streamplatform_v1_Account__Output>): grpc.ClientUnaryCall;
  getAccount(argument: _streamplatform_v1_GetAccountRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_Account__Output>): grpc.ClientUnaryCall;
  getAccount(argument: _streamplatform_v1_GetAccountRequest, callback: grpc.requestCallback<_streamplatform_v1_Account__Output>): grpc.ClientUnaryCall;
  
  /**
   * NOT_FOUND as GetAccount.
   */
  GetMailAddress(argument: _streamplatform_v1_GetMailAddressRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_MailAddress__Output>): grpc.ClientUnaryCall;
  GetMailAddress(argument: _streamplatform_v1_GetMailAddressRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_streamplatform_v1_MailAddress__Output>): grpc.ClientUnaryCall;
  GetMailAddress(argument: _streamplatform_v1_GetMailAddressRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_MailAddress__Output>): grpc.ClientUnaryCall;
  GetMailAddress(argument: _streamplatform_v1_GetMailAddressRequest, callback: grpc.requestCallback<_streamplatform_v1_MailAddress__Output>): grpc.ClientUnaryCall;
  /**
   * NOT_FOUND as GetAccount.
   */
  getMailAddress(argument: _streamplatform_v1_GetMailAddressRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_MailAddress__Output>): grpc.ClientUnaryCall;
  getMailAddress(argument: _streamplatform_v1_GetMailAddressRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_streamplatform_v1_MailAddress__Output>): grpc.ClientUnaryCall;
  getMailAddress(argument: _streamplatform_v1_GetMailAddressRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_MailAddress__Output>): grpc.ClientUnaryCall;
  getMailAddress(argument: _streamplatform_v1_GetMailAddressRequest, callback: grpc.requestCallback<_streamplatform_v1_MailAddress__Output>): grpc.ClientUnaryCall;
  
}

export interface AccountServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * NOT_FOUND for an account that does not exist: never made, or deleted. Functions ask it
   * before they honour a session token, so a deleted account's tokens stop working.
   */
  GetAccount: grpc.handleUnaryCall<_streamplatform_v1_GetAccountRequest__Output, _streamplatform_v1_Account>;
  
  /**
   * NOT_FOUND as GetAccount.
   */
  GetMailAddress: grpc.handleUnaryCall<_streamplatform_v1_GetMailAddressRequest__Output, _streamplatform_v1_MailAddress>;
  
}

export interface AccountServiceDefinition extends grpc.ServiceDefinition {
  GetAccount: MethodDefinition<_streamplatform_v1_GetAccountRequest, _streamplatform_v1_Account, _streamplatform_v1_GetAccountRequest__Output, _streamplatform_v1_Account__Output>
  GetMailAddress: MethodDefinition<_streamplatform_v1_GetMailAddressRequest, _streamplatform_v1_MailAddress, _streamplatform_v1_GetMailAddressRequest__Output, _streamplatform_v1_MailAddress__Output>
}
